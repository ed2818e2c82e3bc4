"""Single-feature baselines: the validation-chosen feature and the best in hindsight,
recomputed with scikit-learn's AUROC over each hand feature."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sklearn.metrics import roc_auc_score

from memgym.rm.baselines import best_single_feature
from memgym.rm.features import HAND_FEATURES, features
from memgym.rm.lite import row_parts
from memgym.rm.rows import drops_fact, read_jsonl


def _aurocs(rows: list[dict[str, Any]]) -> list[float]:
    y = [r["harmful"] for r in rows]
    hand = [features(row_parts(r))[0] for r in rows]
    out = []
    for k in range(len(HAND_FEATURES)):
        column = [h[k] for h in hand]
        out.append(roc_auc_score(y, column) if len(set(column)) > 1 else 0.5)
    return out


def test_best_single_feature_recomputed(quick_data: tuple[Path, Any]) -> None:
    folder, _ = quick_data
    val = [r for r in read_jsonl(folder / "val.jsonl") if drops_fact(r)]
    test = [r for r in read_jsonl(folder / "iid.jsonl") if drops_fact(r)]
    assert 0 < sum(r["harmful"] for r in val) < len(val)
    got = best_single_feature(val, test)
    on_val, on_test = _aurocs(val), _aurocs(test)
    pick = max(range(len(on_val)), key=lambda k: abs(on_val[k] - 0.5))
    expected = on_test[pick] if on_val[pick] >= 0.5 else 1 - on_test[pick]
    assert got["val_chosen"]["feature"] == HAND_FEATURES[pick]
    assert got["val_chosen"]["auroc"] == pytest.approx(expected)
    assert got["hindsight"]["auroc"] == pytest.approx(max(max(a, 1 - a) for a in on_test))
    assert got["hindsight"]["auroc"] >= got["val_chosen"]["auroc"] - 1e-12
