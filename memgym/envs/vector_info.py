"""The copies' infos merged as Gymnasium merges them, for ``memgym.envs.vector``.

Each key's values go in an array over the copies (numbers in a numeric array of the first value's
type, numpy arrays stacked, anything else in an object array), beside a ``_key`` mask of the copies
that have the key; a nested dict is merged the same way, key by key, except the ``WHOLE`` keys,
whose values are kept whole per copy (an object array). ``merge_info`` adds one copy's info, as
Gymnasium's ``VectorEnv._add_info`` does. ``merge_infos`` merges a step's infos: when every copy
has the same keys (the usual step: a memgym env's info keys are fixed) into a ``VectorInfo``, which
builds each key's array when it is first read.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

WHOLE = frozenset({"state", "final_obs"})
"""Info keys whose values are kept whole per copy (an object array), never merged field by field."""

_NUMBERS = (int, float, bool)


def merge_info(
    merged: dict[str, Any], info: Mapping[str, Any], index: int, copies: int
) -> dict[str, Any]:
    """``merged`` with copy ``index``'s ``info`` added (``copies`` in all): each value in its
    key's array at ``index``, its ``_key`` mask set, a nested dict merged the same way."""
    for key, value in info.items():
        column = merged.get(key)
        if column is None:  # the first copy with this key: its array and mask
            nested = isinstance(value, dict) and key not in WHOLE
            column = {} if nested else _column(value, copies, key in WHOLE)
            merged[key] = column
            merged[mask_key(key)] = np.zeros(copies, dtype=np.bool_)
        if type(column) is dict:
            merge_info(column, value, index, copies)
        else:
            column[index] = value
        mask = merged.get(mask_key(key))
        if mask is None:  # the key is another key's mask (``_a`` beside ``a``): a mask of its own
            mask = merged[mask_key(key)] = np.zeros(copies, dtype=np.bool_)
        mask[index] = True
    return merged


def merge_infos(infos: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """What ``merge_info`` gives for ``infos[0]``, ``infos[1]``, ... added in turn: a
    ``VectorInfo`` when every copy's info has the first one's keys (each key's array and mask
    built when first read), else a dict built at once."""
    keys = tuple(infos[0])
    names = _NAMES.get(keys, _UNSEEN)
    if names is _UNSEEN:
        names = _names(keys)
    if names and all(tuple(info) == keys for info in infos):
        lazy = VectorInfo()
        lazy._infos, lazy._names = infos, names
        # one array built now: C code that sees an empty dict (json's) reads no further
        dict.__setitem__(lazy, _MASKS[keys[0]], _trues(len(infos)))
        return lazy
    merged: dict[str, Any] = {}
    for index, info in enumerate(infos):
        merge_info(merged, info, index, len(infos))
    return merged


class VectorInfo(dict):  # type: ignore[type-arg]
    """A step's merged info whose arrays are built when first read: ``info[key]``,
    ``info.get(key)``, ``key in info``, ``len(info)`` and iterating over its keys build only what
    they return; anything else (``items()``, ``values()``, ``keys()``, ``==``, ``repr``, a change,
    a copy, ``json.dumps``, pickling) builds every array first, and from then on it is a plain
    dict. Each array is what ``merge_info`` would have put there; the copies' infos are read
    when it is built (memgym's envs give new info values each step and never change them), so a
    value numpy will not put in its key's array raises when that key is read, not at the step.
    C code that reads a dict's storage directly (``marshal``, orjson) sees only the arrays built
    so far: call ``build()`` before handing it such code."""

    _infos: Sequence[Mapping[str, Any]] | None = None
    _names: dict[str, tuple[str, bool]] | None = None
    """Each name (a key or its mask) -> (its key, whether it is the mask); None once built."""

    def __missing__(self, name: str) -> Any:
        names, infos = self._names, self._infos
        if names is None or infos is None or name not in names:
            raise KeyError(name)
        key, mask = names[name]
        if mask:
            value = _trues(len(infos))
        else:
            value = batch(key, [info[key] for info in infos])
        dict.__setitem__(self, name, value)
        return value

    def __contains__(self, name: object) -> bool:
        names = self._names
        return dict.__contains__(self, name) if names is None else name in names

    def __len__(self) -> int:
        names = self._names
        return dict.__len__(self) if names is None else len(names)

    def __iter__(self) -> Any:
        names = self._names
        return dict.__iter__(self) if names is None else iter(names)

    def get(self, name: str, default: Any = None) -> Any:
        names = self._names
        if names is not None and name in names:
            return self[name]
        return dict.get(self, name, default)

    def build(self) -> None:
        """Build every array not built yet; the info is a plain dict from then on."""
        names = self._names
        if names is None:
            return
        values = [self[name] for name in names]
        self._names = self._infos = None
        dict.clear(self)
        dict.update(self, zip(names, values))

    def __reduce_ex__(self, protocol: Any) -> Any:
        self.build()
        return dict, (dict(self),)


def _building(method: Callable[..., Any]) -> Callable[..., Any]:
    def built_first(self: VectorInfo, *args: Any, **kwargs: Any) -> Any:
        self.build()
        return method(self, *args, **kwargs)

    built_first.__name__ = built_first.__qualname__ = method.__name__
    built_first.__doc__ = method.__doc__
    return built_first


for _method in (
    "keys", "values", "items", "copy", "pop", "popitem", "setdefault", "update", "clear",
    "__setitem__", "__delitem__", "__repr__", "__eq__", "__ne__", "__or__", "__ror__", "__ior__",
    "__reversed__", "__sizeof__",
):  # fmt: skip
    setattr(VectorInfo, _method, _building(getattr(dict, _method)))


def batch(key: str, values: Sequence[Any]) -> Any:
    """Key ``key``'s array over the copies (or, for a nested dict, its merged dict): what
    ``merge_info`` builds from ``values``, copy ``i``'s value at ``i``."""
    first, copies = values[0], len(values)
    whole = key in WHOLE
    if isinstance(first, dict) and not whole:
        merged: dict[str, Any] = {}
        for index, value in enumerate(values):
            merge_info(merged, value, index, copies)
        return merged
    if not whole and (type(first) in _NUMBERS or isinstance(first, np.number)):
        return np.array(values, dtype=type(first))  # cast as setitem casts
    if whole or not isinstance(first, np.ndarray):
        return np.fromiter(values, dtype=object, count=copies)  # each value one element
    column = _column(first, copies, whole)
    for index, value in enumerate(values):
        column[index] = value
    return column


_TRUES: dict[int, Any] = {}


def _trues(copies: int) -> Any:
    """A new all-true mask over ``copies`` copies (a copy of one kept: ``np.ones`` costs more)."""
    mask = _TRUES.get(copies)
    if mask is None:
        mask = _TRUES[copies] = np.ones(copies, dtype=np.bool_)
    return mask.copy()


_NAMES: dict[tuple[str, ...], dict[str, tuple[str, bool]] | None] = {}
"""Each list of info keys -> its merged names in order (None where a mask's name is a key)."""
_UNSEEN: Any = object()


def _names(keys: tuple[str, ...]) -> dict[str, tuple[str, bool]] | None:
    if keys in _NAMES:
        return _NAMES[keys]
    names: dict[str, tuple[str, bool]] = {}
    for key in keys:
        names[key] = (key, False)
        names[mask_key(key)] = (key, True)
    found = names if len(names) == 2 * len(keys) else None
    if len(_NAMES) >= 256:  # an env whose keys keep changing: start over, never grow
        _NAMES.clear()
    _NAMES[keys] = found
    return found


_MASKS: dict[str, str] = {}
"""Each info key's mask key (``_key``), made once."""


def mask_key(key: str) -> str:
    """``_key``, the mask beside info key ``key``."""
    mask = _MASKS.get(key)
    if mask is None:
        mask = _MASKS[key] = f"_{key}"
    return mask


def _column(value: Any, copies: int, whole: bool) -> Any:
    """An empty array over the copies for values like ``value``."""
    if not whole and (type(value) in _NUMBERS or isinstance(value, np.number)):
        return np.zeros(copies, dtype=type(value))
    if not whole and isinstance(value, np.ndarray):
        return np.zeros((copies, *value.shape), dtype=value.dtype)
    return np.empty(copies, dtype=object)  # every element None
