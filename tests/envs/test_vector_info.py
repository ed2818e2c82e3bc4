"""The vector env's info merge: ``merge_info`` is Gymnasium's merge (``state`` kept whole), and
``merge_infos`` gives what ``merge_info`` gives, its arrays built when first read."""

from __future__ import annotations

import copy
import json
import pickle
from typing import Any

import pytest

pytest.importorskip("gymnasium", reason="needs the gym extra")

import numpy as np

from memgym.envs.vector_info import VectorInfo, merge_info, merge_infos

# every copy has the same keys: values of each kind, and copies that disagree on a type
SAME_KEYS = [
    {"a": 1, "f": 0.5, "ok": True, "f32": np.float32(1.5), "s": "x", "none": None,
     "list": [1, 2], "pair": (1, 2), "n": {"k": 2, "deep": {"z": 1.0}}, "v": np.arange(3),
     "state": {"seed": 0, "entries": [[1, "a"]]}, "mixed": 1, "flag": True},
    {"a": 7, "f": 2, "ok": False, "f32": np.float32(2.5), "s": "y", "none": None,
     "list": [3], "pair": (3, 4), "n": {"k": 5, "deep": {"z": 3.0}}, "v": np.arange(3) * 2,
     "state": {"seed": 1, "entries": []}, "mixed": 2.7, "flag": 0},
    {"a": -3, "f": 1.25, "ok": True, "f32": np.float32(0.0), "s": "", "none": None,
     "list": [], "pair": (5, 6), "n": {"k": 0, "deep": {"z": 0.5}}, "v": np.zeros(3),
     "state": {"seed": 2, "entries": [[2, "b"], [3, "c"]]}, "mixed": True, "flag": 5},
]  # fmt: skip


def reference(infos: list[dict[str, Any]]) -> dict[str, Any]:
    """The infos merged one copy at a time, as Gymnasium's loop does."""
    merged: dict[str, Any] = {}
    for index, info in enumerate(infos):
        merge_info(merged, info, index, len(infos))
    return merged


def same(a: object, b: object) -> None:
    """``a`` and ``b`` hold the same keys, in the same order, and equal arrays of one dtype."""
    if isinstance(b, dict):
        assert isinstance(a, dict) and list(a) == list(b)
        for key in b:
            same(a[key], b[key])
    else:
        assert isinstance(a, np.ndarray) and isinstance(b, np.ndarray)
        assert a.dtype == b.dtype and a.shape == b.shape
        assert all(np.array_equal(x, y) if isinstance(x, np.ndarray) else x == y
                   for x, y in zip(a, b, strict=True))  # fmt: skip


def test_merge_info_is_gymnasiums_merge_except_whole_keys() -> None:
    gymnasium = pytest.importorskip("gymnasium")
    infos = [
        {"a": 1, "f": 0.5, "ok": True, "s": "x", "n": {"k": 2, "deep": {"z": 1.0}},
         "v": np.arange(3), "state": {"seed": 0, "overrides": {"e": 4}}},
        {"a": 7, "s": "y", "n": {"k": 5}, "state": {"seed": 1, "overrides": {}}},
        {"f": 2.5, "ok": False, "n": {"deep": {"z": 3.0}}, "v": np.arange(3) * 2,
         "extra": [1, 2]},
    ]  # fmt: skip
    ours: dict = {}
    theirs: dict = {}
    gym_vec = gymnasium.vector.VectorEnv()
    gym_vec.num_envs = 3
    for i, info in enumerate(infos):
        ours = merge_info(ours, info, i, 3)
        theirs = gym_vec._add_info(theirs, {k: v for k, v in info.items() if k != "state"}, i)
    state, state_mask = ours.pop("state"), ours.pop("_state")
    assert list(state) == [infos[0]["state"], infos[1]["state"], None]
    assert list(state_mask) == [True, True, False]
    same(ours, theirs)


def test_merge_infos_reads_what_merge_info_builds_and_builds_only_what_is_read() -> None:
    expected = reference(SAME_KEYS)
    assert expected["mixed"].dtype == np.int64 and list(expected["mixed"]) == [1, 2, 1]
    info = merge_infos(SAME_KEYS)
    assert isinstance(info, VectorInfo) and isinstance(info, dict)
    assert list(dict.keys(info)) == ["_a"]  # built at once (C code that sees {} reads no more)
    assert len(info) == len(expected) and list(info) == list(expected)
    assert "a" in info and "_state" in info and "b" not in info and "_b" not in info
    assert info.get("b", 5) == 5 and dict.__len__(info) == 1
    same(info["state"], expected["state"])
    same(info.get("_f"), expected["_f"])
    assert list(dict.keys(info)) == ["_a", "state", "_f"]  # and the two read
    for key in expected:  # read one key at a time, in no particular order
        same(info[key], expected[key])
    with pytest.raises(KeyError):
        info["b"]
    info.build()
    same(dict(info), expected)
    assert info["state"][1] is SAME_KEYS[1]["state"]  # whole, not copied


def test_anything_else_builds_every_array_first() -> None:
    expected = reference(SAME_KEYS)

    def plain(value: Any) -> Any:
        return value.tolist() if isinstance(value, np.ndarray) else value

    assert repr(merge_infos(SAME_KEYS)) == repr(expected)
    assert json.dumps(merge_infos(SAME_KEYS), default=plain) == json.dumps(expected, default=plain)
    for built in (
        dict(merge_infos(SAME_KEYS)),
        {**merge_infos(SAME_KEYS)},
        copy.copy(merge_infos(SAME_KEYS)),
        copy.deepcopy(merge_infos(SAME_KEYS)),
        pickle.loads(pickle.dumps(merge_infos(SAME_KEYS))),
        dict(merge_infos(SAME_KEYS).items()),
        dict(zip(merge_infos(SAME_KEYS).keys(), merge_infos(SAME_KEYS).values(), strict=True)),
    ):
        same(built, expected)
    info = merge_infos(SAME_KEYS)
    assert info == dict(info)
    assert not info != dict(info)  # noqa: SIM202 (dict's != on a lazy info)
    info["added"] = 1  # a change builds first: the arrays are all there, then the change
    assert dict.__len__(info) == len(expected) + 1 and list(info)[-1] == "added"
    del info["a"]
    assert "a" not in info and info.pop("_a") is not None and "_a" not in info
    same({k: v for k, v in info.items() if k != "added"},
         {k: v for k, v in expected.items() if k not in ("a", "_a")})  # fmt: skip


def test_infos_with_different_keys_are_merged_at_once() -> None:
    infos = [{"a": 1, "b": "x"}, {"b": "y", "a": 2}, {"a": 3, "c": 0.5}]
    info = merge_infos(infos)
    assert type(info) is dict
    same(info, reference(infos))
    clash = [{"a": 1, "_a": 2}, {"a": 3, "_a": 4}]  # a key named like another's mask
    assert type(merge_infos(clash)) is dict


def test_a_value_numpy_cannot_batch_fails_when_read() -> None:
    info = merge_infos([{"a": 1}, {"a": {"not": "a number"}}])
    with pytest.raises(TypeError):
        info["a"]
    with pytest.raises(TypeError):
        reference([{"a": 1}, {"a": {"not": "a number"}}])
