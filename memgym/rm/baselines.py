"""Single-feature baselines: how far one of lite's hand features ranks the rows alone.

A model earns its keep on a split only above the best single feature. Two such baselines are
given: the feature (and its sign) that ranks the *validation* fact rows best, scored on the
split (a fair rival: chosen as the model's choices are), and the best feature *in hindsight* on
the split itself (either sign; an upper bar no honest model choice could reach by picking).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from memgym.rm.features import HAND_FEATURES
from memgym.rm.metrics import auroc
from memgym.rm.rows import Row


def hand_matrix(rows: Sequence[Row]) -> list[list[float]]:
    """Each row's hand features, in ``HAND_FEATURES`` order."""
    from memgym.rm.lite import read_features, row_parts

    return [hand for hand, _ in read_features([row_parts(r) for r in rows])]


def feature_aurocs(rows: Sequence[Row], target: str = "harmful") -> list[float]:
    """AUROC of each hand feature alone (higher value = HARMFUL) on ``rows``."""
    y = [int(r[target]) for r in rows]
    hand = hand_matrix(rows)
    return [auroc(y, [h[k] for h in hand]) for k in range(len(HAND_FEATURES))]


def _signed(value: float) -> tuple[float, int]:
    """How far an AUROC is from chance either way, and the sign that reads it upwards."""
    if math.isnan(value):
        return -1.0, 1
    return abs(value - 0.5), 1 if value >= 0.5 else -1


def best_single_feature(
    val: Sequence[Row], test: Sequence[Row], target: str = "harmful"
) -> dict[str, Any]:
    """The validation-chosen feature's AUROC on ``test`` and the best in hindsight on ``test``."""
    on_val = feature_aurocs(val, target)
    on_test = feature_aurocs(test, target)
    pick = max(range(len(on_val)), key=lambda k: _signed(on_val[k])[0])
    sign = _signed(on_val[pick])[1]
    chosen = on_test[pick] if sign > 0 else 1.0 - on_test[pick]
    hind = max(range(len(on_test)), key=lambda k: _signed(on_test[k])[0])
    best = on_test[hind]
    return {
        "val_chosen": {"feature": HAND_FEATURES[pick], "sign": sign, "auroc": chosen},
        "hindsight": {"feature": HAND_FEATURES[hind], "auroc": max(best, 1.0 - best)},
    }
