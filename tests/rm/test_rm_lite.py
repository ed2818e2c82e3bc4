"""The lite MemRM: learns something real, leaks nothing, round-trips through its file."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from memgym.rm.features import HAND_FEATURES, features, hand_features
from memgym.rm.lite import load_lite, train_lite
from memgym.rm.metrics import auroc
from memgym.rm.rows import labels, read_jsonl


def test_beats_chance_on_held_out_seeds(quick_data: tuple[Path, Any], lite_model: Any) -> None:
    folder, _ = quick_data
    _, model = lite_model
    rows = list(read_jsonl(folder / "iid.jsonl"))
    p = model.predict(rows)
    assert all(0.0 <= v <= 1.0 for v in p)
    assert auroc(labels(rows), p) > 0.7


def test_features_ignore_names_questions_and_labels(quick_data: tuple[Path, Any],
                                                    lite_model: Any) -> None:
    folder, _ = quick_data
    _, model = lite_model
    rows = list(read_jsonl(folder / "iid.jsonl"))[:40]
    changed = []
    for row in rows:
        other = copy.deepcopy(row)
        other.update(track="dialogue", strategy="summary:max_tokens=1", seed=99, harmful=1 - row[
            "harmful"], label="?", delta=9.0, later=0, id="x", episode="y", step=12345)
        for span in other["dropped"]:
            span["facts"] = ["leak"]
        changed.append(other)
    assert model.predict(changed) == model.predict(rows)


def test_features_see_novel_numbers() -> None:
    kept = ["Acme Ltd has 42 staff."]
    restated = hand_features("brief", ["Acme Ltd has 42 staff."], kept)
    novel = hand_features("brief", ["Acme Ltd has 97 staff."], kept)
    i = HAND_FEATURES.index("novel_numbers")
    assert restated[i] == 0.0
    assert novel[i] > 0.0
    assert features("b", ["x"], [])[0][HAND_FEATURES.index("kept_is_empty")] == 1.0


def test_save_load_round_trip(quick_data: tuple[Path, Any], lite_model: Any,
                              tmp_path: Path) -> None:
    folder, _ = quick_data
    path, model = lite_model
    rows = list(read_jsonl(folder / "strategy_ood.jsonl"))
    assert load_lite(path).predict(rows) == model.predict(rows)
    bad = tmp_path / "bad.pkl"
    bad.write_bytes(b"not a pickle")
    with pytest.raises(ValueError, match="cannot read a lite MemRM"):
        load_lite(bad)


def test_a_model_of_another_feature_set_is_refused(lite_model: Any, tmp_path: Path) -> None:
    _, model = lite_model
    stale = copy.copy(model)
    del stale.feature_names  # as a model pickled before the field existed
    stale.save(tmp_path / "stale.pkl")
    with pytest.raises(ValueError, match="another feature set.*memgym rm train"):
        load_lite(tmp_path / "stale.pkl")


def test_heading_restated_tells_the_asked_for_result_from_a_look_alike() -> None:
    asked = 'Search result for "mayor of Corhaven":\nCorhaven is a town. Its mayor is Rima Kelton.'
    look_alike = 'Search result for "mayor of Corhaven":\nCorstead is a town. Its mayor is Ann Lo.'
    i = HAND_FEATURES.index("heading_restated")
    assert hand_features("b", [asked], [])[i] > 0.0
    assert hand_features("b", [look_alike], [])[i] == 0.0
    assert hand_features("b", ["one line, no heading"], [])[i] == 0.0


def test_training_is_deterministic_and_needs_both_labels(quick_data: tuple[Path, Any]) -> None:
    folder, _ = quick_data
    rows = list(read_jsonl(folder / "train.jsonl"))
    rows = [r for r in rows if r["harmful"]][:20] + [r for r in rows if not r["harmful"]][:80]
    test = list(read_jsonl(folder / "iid.jsonl"))[:50]
    assert train_lite(rows, seed=3).predict(test) == train_lite(rows, seed=3).predict(test)
    safe = [r for r in rows if not r["harmful"]]
    with pytest.raises(ValueError, match="both SAFE and HARMFUL"):
        train_lite(safe)
