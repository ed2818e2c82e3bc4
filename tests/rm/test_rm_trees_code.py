"""The trees' compiled code saved with a lite model: used only when made for these trees by this
interpreter, compiled anew otherwise, and every score the same either way."""

from __future__ import annotations

import copy
import pickle
from pathlib import Path
from typing import Any

import pytest

from memgym.rm import trees as trees_module
from memgym.rm.lite import KIND, TREES_CODE, load_lite, row_parts
from memgym.rm.rows import read_jsonl
from memgym.rm.trees import compile_trees, compiled_trees, fit_trees, stored_code


@pytest.fixture()
def fitted() -> tuple[Any, Any, Any]:
    """Two different fitted trees on five inputs, and rows to score."""
    import numpy as np

    rng = np.random.RandomState(2)
    x = rng.rand(500, 5)
    y = (x[:, 0] + x[:, 1] * x[:, 2] + 0.3 * rng.rand(500) > 0.9).astype(int)
    return fit_trees(x, y, 0), fit_trees(x, 1 - y, 0), rng.rand(100, 5).tolist()


@pytest.fixture()
def compiles(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the compilations of trees (a fresh process: nothing compiled yet)."""
    count: list[int] = []
    monkeypatch.setattr(trees_module, "_COMPILED", {})
    real = trees_module.trees_code

    def counted(trees: Any) -> Any:
        count.append(1)
        return real(trees)

    monkeypatch.setattr(trees_module, "trees_code", counted)
    return count


def test_stored_code_is_used_without_compiling(
    fitted: tuple[Any, Any, Any], compiles: list[int]
) -> None:
    trees, _, rows = fitted
    stored = stored_code(trees)
    expected = [compile_trees(trees)(r) for r in rows]
    compiles.clear()
    score = compiled_trees(trees, stored)
    assert compiles == []
    assert [score(r) for r in rows] == expected  # bit for bit


@pytest.mark.parametrize("spoil", ["tag", "digest", "code", "missing"])
def test_stale_or_foreign_code_falls_back_to_compiling(
    fitted: tuple[Any, Any, Any], compiles: list[int], spoil: str
) -> None:
    """Code of another interpreter or form (tag), of other trees (which would score otherwise if
    used), bytes that are no code, no code: compiled anew, the same scores."""
    trees, other, rows = fitted
    expected = [float(v) for v in trees.decision_function(rows)]
    stored: Any = stored_code(trees)
    if spoil == "tag":
        stored["tag"] = "cpython-00:0000:1"
    elif spoil == "digest":
        stored = stored_code(other)
    elif spoil == "code":
        stored["code"] = b"\x00not marshal"
    else:
        stored = None
    compiles.clear()
    score = compiled_trees(trees, stored)
    assert compiles == [1]
    assert [score(r) for r in rows] == pytest.approx(expected, abs=1e-9)
    assert [score(r) for r in rows] == [compile_trees(trees)(r) for r in rows]


def test_saved_model_loads_its_code_and_old_files_still_score_alike(
    quick_data: tuple[Path, Any], lite_model: Any, tmp_path: Path, compiles: list[int]
) -> None:
    """A model saved now carries its trees' code (loading compiles nothing); one pickled before
    (no code in its file) compiles on first use; both score exactly as the model saved."""
    import numpy as np

    from memgym.rm.features import HAND_FEATURES

    folder, _ = quick_data
    _, trained = lite_model
    model = copy.deepcopy(trained)
    rng = np.random.RandomState(0)
    model.trees = fit_trees(rng.rand(300, len(HAND_FEATURES) + 1), np.arange(300) % 2, 0)
    model.tree_offset = None
    model.__dict__.pop("_trees_fn", None)
    parts = [row_parts(r) for r in read_jsonl(folder / "iid.jsonl")][:50]
    expected = model.predict_parts(parts)
    model.save(tmp_path / "new.pkl")
    payload = pickle.loads((tmp_path / "new.pkl").read_bytes())
    assert payload[TREES_CODE]["tag"] == trees_module.CODE_TAG
    assert "_trees_fn" not in vars(payload["model"]) and "_trees_code" not in vars(payload["model"])
    (tmp_path / "old.pkl").write_bytes(pickle.dumps({"kind": KIND, "model": payload["model"]}))

    compiles.clear()
    new = load_lite(tmp_path / "new.pkl")
    assert "_trees_code" in vars(new)
    assert "_trees_code" not in vars(pickle.loads(pickle.dumps(new)))  # not sent to workers
    new.prepare()
    assert compiles == []
    assert "_trees_fn" not in vars(pickle.loads(pickle.dumps(new)))
    assert new.predict_parts(parts) == expected

    trees_module._COMPILED.clear()
    old = load_lite(tmp_path / "old.pkl")
    old.prepare()
    assert compiles == [1]
    assert old.predict_parts(parts) == expected
