"""A snapshot of the data an agent's code can keep outside the agent object, to compare by ``==``.

What is watched: the non-dunder attributes of the agent's classes and the globals of their
modules (the *watched* modules), and, through them, everything reachable:

- plain data by value (strings and bytes as they are, numbers with their type: ``1`` is not
  ``True``), containers through their items (a set as a multiset), objects through their
  ``__dict__``;
- functions defined in a watched module through what they can hold: their defaults (a mutable
  default argument is state), keyword defaults, attributes, closure cells and code object;
  ``staticmethod``/``classmethod``/``property``/bound methods through the functions they wrap;
- classes defined in a watched module through their attributes (a helper class's ``notes = []``);
- a module object reached from watched data (``NOTES = types.ModuleType("notes")``, or a
  module of the agent author's own imported by a watched one) through its namespace, and it is
  watched from then on (its classes by their attributes); only the modules of the standard
  library, of installed packages and of memgym itself (the evaluator's, whose caches change by
  design, e.g. ``re``'s) are compared by identity;
- other code (functions and classes of other modules), those library modules, the language's
  typing and compiler objects, and what lies deeper than ``DEPTH`` or in a cycle: by identity.
  Objects whose identity is recorded are held by the snapshot, so no id in it is reused while
  it lives.

State kept in library modules, files or processes is not seen here (the module docstring of
``memgym.interactive.stateless``).
"""

from __future__ import annotations

import functools
import sys
import sysconfig
import types
from typing import Any

DEPTH = 8
"""Levels walked below a class attribute or module global; deeper values by identity."""
_PLAIN = frozenset({str, bytes})
_NUMBERS = frozenset({bool, int, float, complex, type(None)})
_OPAQUE = frozenset({types.BuiltinFunctionType, types.MethodWrapperType})
_MACHINERY = frozenset({"typing", "typing_extensions", "__future__", "_abc", "abc"})
"""Modules whose objects (``ClassVar``, ``from __future__ import annotations``, ABC caches) are
the language's machinery, by identity."""


class Snapshot:
    """Nested tuples of the watched data and the objects whose identity they record."""

    __slots__ = ("held", "shape")

    def __init__(self, shape: tuple[Any, ...], held: list[Any]) -> None:
        self.shape = shape
        self.held = held

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Snapshot) and self.shape == other.shape

    __hash__ = None  # type: ignore[assignment]


def snapshot(classes: tuple[type, ...], values: tuple[Any, ...] = ()) -> Snapshot:
    """The data ``classes`` (an agent's MRO) and their modules hold, builtins and ``abc`` apart,
    and ``values`` (the arguments the agent is built with) by content."""
    mine = [c for c in classes if c.__module__ not in ("builtins", "abc")]
    modules = {c.__module__: m for c in mine if (m := sys.modules.get(c.__module__)) is not None}
    walker = _Walker(set(modules))
    parts: list[Any] = [walker.shape(c, 0) for c in mine]
    for name, module in modules.items():
        parts.append(name)
        parts.extend(walker.namespace(vars(module), 0))
    parts.append(walker.shape(values, 0))
    return Snapshot(tuple(parts), walker.held)


@functools.cache
def _library_roots() -> tuple[str, ...]:
    """Folders of the standard library and of installed packages."""
    paths = sysconfig.get_paths()
    found = {paths[k] for k in ("stdlib", "platstdlib", "purelib", "platlib") if k in paths}
    return tuple(sorted(p.rstrip("/") + "/" for p in found))


def library_module(module: types.ModuleType) -> bool:
    """Whether ``module`` is the standard library's, an installed package's or memgym's own
    (compared by identity: their caches change by design); a module made at run time
    (``types.ModuleType``) or of the agent author's own files is not."""
    name = module.__name__
    if name == "memgym" or name.startswith("memgym.") or name in sys.builtin_module_names:
        return True
    spec = getattr(module, "__spec__", None)
    if spec is None or sys.modules.get(name) is not module:
        return False
    if spec.origin in ("built-in", "frozen"):
        return True
    origin = spec.origin or next(iter(spec.submodule_search_locations or ()), "")
    return bool(origin) and origin.startswith(_library_roots())


class _Walker:
    """One snapshot's walk: the watched modules, the path (cycles), the shapes made so far."""

    def __init__(self, watched: set[str]) -> None:
        self.watched = watched
        self.held: list[Any] = []
        self.seen: set[int] = set()
        self.shaped: dict[int, tuple[int, Any]] = {}

    def namespace(self, items: Any, depth: int) -> list[Any]:
        """(name, shape) of every non-dunder entry of a class's or module's namespace."""
        return [(k, self.shape(v, depth)) for k, v in items.items() if not k.startswith("__")]

    def shape(self, value: Any, depth: int) -> Any:
        kind = type(value)
        if kind in _PLAIN:
            return value
        if kind in _NUMBERS:
            return (kind, value)
        if kind is types.FunctionType:
            if (
                value.__defaults__ is None and value.__kwdefaults__ is None
                and value.__closure__ is None and not value.__dict__
            ):  # fmt: skip
                return (value, value.__code__)  # holds nothing: compared by identity and code
            return self._function(value, depth + 1)
        if isinstance(value, type):
            if value.__module__ not in self.watched or depth > DEPTH:
                return self._identity(value)
        elif isinstance(value, types.ModuleType):
            if depth > DEPTH or library_module(value):
                return self._identity(value)
        elif depth > DEPTH or kind in _OPAQUE or kind.__module__ in _MACHINERY:
            return self._identity(value)
        key = id(value)
        known = self.shaped.get(key)
        if known is not None and known[0] <= depth:  # met again in this walk, walked as deep
            return known[1]
        if key in self.seen:
            return self._identity(value)
        self.seen.add(key)
        try:
            shape = self._inside(value, kind, depth + 1)
        finally:
            self.seen.discard(key)
        self.shaped[key] = (depth, shape)
        self.held.append(value)  # alive while the snapshot lives: its id is not reused
        return shape

    def _identity(self, value: Any) -> tuple[str, int]:
        self.held.append(value)
        return ("id", id(value))

    def _inside(self, value: Any, kind: type, deeper: int) -> Any:
        """The shape of a value that is not plain: through what it holds, or its identity."""
        if isinstance(value, dict):
            items = tuple((self.shape(k, deeper), self.shape(v, deeper)) for k, v in value.items())
            return ("dict", kind, items)
        if isinstance(value, (list, tuple)):
            return ("seq", kind, tuple(self.shape(v, deeper) for v in value))
        if isinstance(value, (set, frozenset)):
            counts: dict[Any, int] = {}  # a multiset: items of one shape are each counted
            for v in value:
                item = self.shape(v, deeper)
                counts[item] = counts.get(item, 0) + 1
            return ("set", kind, frozenset(counts.items()))
        if isinstance(value, (str, bytes, bytearray, int, float, complex)):
            return ("value", kind, bytes(value) if isinstance(value, bytearray) else value)
        if isinstance(value, types.FunctionType):  # a subclass: never in CPython
            return self._function(value, deeper)
        if isinstance(value, (staticmethod, classmethod)):
            return ("wrapped", kind, self.shape(value.__func__, deeper))
        if isinstance(value, property):
            return (
                "property",
                tuple(self.shape(f, deeper) for f in (value.fget, value.fset, value.fdel)),
            )
        if isinstance(value, types.MethodType):
            return (
                "method",
                self.shape(value.__func__, deeper),
                self.shape(value.__self__, deeper),
            )
        if isinstance(value, type):  # of a watched module (``shape``)
            return ("class", id(value), tuple(self.namespace(vars(value), deeper)))
        if isinstance(value, types.ModuleType):  # not a library's (``shape``): by content
            self.watched.add(value.__name__)
            self.held.append(value)
            return ("module", id(value), tuple(self.namespace(vars(value), deeper)))
        if isinstance(value, types.BuiltinFunctionType):
            return self._identity(value)
        attributes = getattr(value, "__dict__", None)
        if isinstance(attributes, dict):
            self.held.append(kind)
            return ("object", id(kind), self.shape(attributes, deeper))
        return self._identity(value)

    def _function(self, func: types.FunctionType, deeper: int) -> Any:
        """A function through what it can hold (whatever module it names: its ``__module__``
        can be rewritten); one that holds nothing is shaped in ``shape``."""
        self.held.append(func)
        self.held.append(func.__code__)
        defaults, keywords, attributes, cells = (
            func.__defaults__, func.__kwdefaults__, func.__dict__, func.__closure__,
        )  # fmt: skip
        if deeper > DEPTH + 1:
            return ("function", id(func), id(func.__code__), "deep")
        return (
            "function", id(func), id(func.__code__), self.shape(defaults, deeper),
            self.shape(keywords, deeper), self.shape(attributes, deeper),
            tuple(self.shape(_cell(c), deeper) for c in cells or ()),
        )  # fmt: skip


def _cell(cell: Any) -> Any:
    try:
        return cell.cell_contents
    except ValueError:  # an empty cell
        return None
