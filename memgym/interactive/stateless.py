"""Stateless agents by contract: everything an agent may know each turn comes through the loop.

An agent that kept notes of its own across turns would bypass the memory strategy being
measured (a web agent with a private dict of every id it saw solves every errand under
``none``). The loop therefore never lets an agent object live from one turn to the next:

- ``FreshAgents`` hands every turn a fresh deep copy of the agent as it was built, reset for
  that turn: what an agent writes to itself (``self.notes[...] = ...``) is gone at the next turn;
- ``outside_state`` snapshots what a copy cannot wipe, the attributes of the agent's classes
  and the globals of their modules; the loop takes it before and after every turn, and a turn
  that changed it fails the run (``StatefulAgent``: every task scores 0, ``model_error``).

The turn-to-turn bookkeeping the reference agents need (their place in the gold plan) is held
by the loop, in the ``PlanCursor`` it hands them (``memgym.interactive.agents``). State kept
beyond the process (files, other modules) is not seen in process: the official path runs an
evaluated agent in its own process, as every plugin runs.
"""

from __future__ import annotations

import contextlib
import copy
import sys
import types
from collections.abc import Iterator
from typing import Any

from memgym.interactive.agents import Agent, PlanCursor
from memgym.llm.usage import add_usage

_OPAQUE = (types.ModuleType, types.FunctionType, types.BuiltinFunctionType, types.MethodType,
           type, staticmethod, classmethod, property)  # fmt: skip
"""Values whose identity is their fingerprint (code, not data)."""
_DEPTH = 8


class FreshAgents:
    """Fresh copies of ``agent`` (as built, before any turn), one per turn; their LLM spend is
    summed as each turn's copy is closed."""

    def __init__(self, agent: Agent, cursor: PlanCursor | None) -> None:
        self.template = copy.deepcopy(agent)
        self.cursor = cursor
        self.spend: dict[str, float] = {}

    @contextlib.contextmanager
    def turn(self) -> Iterator[Agent]:
        """A context of one turn: yields the turn's agent, then closes it and keeps its spend."""
        agent = copy.deepcopy(self.template)
        agent.reset(self.cursor)
        try:
            yield agent
        finally:
            usage = dict(agent.usage())
            agent.close()
            self.spend = add_usage([self.spend, usage])


class Snapshot:
    """What ``outside_state`` took: nested tuples of the data (immutable values kept as they are,
    code by identity), compared with ``==``; it holds every object whose identity it records, so
    no id in it can be reused while it lives."""

    __slots__ = ("held", "shape")

    def __init__(self, shape: tuple[Any, ...], held: list[Any]) -> None:
        self.shape = shape
        self.held = held

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Snapshot) and self.shape == other.shape

    __hash__ = None  # type: ignore[assignment]


def outside_state(agent: Agent) -> Snapshot:
    """The data the agent's classes and their modules hold (not their code), as a snapshot."""
    held: list[Any] = []
    seen: set[int] = set()
    shaped: dict[int, tuple[int, Any]] = {}
    parts: list[Any] = []
    modules: dict[str, types.ModuleType] = {}
    for cls in type(agent).__mro__:
        if cls.__module__ in ("builtins", "abc"):
            continue
        module = sys.modules.get(cls.__module__)
        if module is not None:
            modules[module.__name__] = module
        parts.append(cls.__qualname__)
        for key, value in vars(cls).items():
            if not key.startswith("__"):
                parts.append((key, _shape(value, seen, 0, held, shaped)))
    for name, module in modules.items():
        parts.append(name)
        for key, value in vars(module).items():
            if not key.startswith("__"):
                parts.append((key, _shape(value, seen, 0, held, shaped)))
    return Snapshot(tuple(parts), held)


def changed_by(agent: Agent, before: Snapshot) -> str:
    """``""`` when ``agent``'s outside state still equals ``before``, else why the run fails."""
    if outside_state(agent) == before:
        return ""
    return (
        f"agent {agent.name!r} kept state across turns (its class or module data changed during "
        "a turn): an agent may know only what the loop hands it"
    )


_PLAIN = (str, bytes)
_NUMBERS = (bool, int, float, complex, type(None))


def _shape(
    value: Any, seen: set[int], depth: int, held: list[Any], shaped: dict[int, tuple[int, Any]]
) -> Any:
    """A structural copy of ``value`` to compare with ``==``: strings and bytes as they are
    (immutable), numbers with their type (``1`` is not ``True``), containers and objects through
    their items and attributes, code (and what lies too deep or in a cycle) by identity."""
    kind = type(value)
    if kind in _PLAIN:
        return value
    if kind in _NUMBERS:
        return (kind, value)
    if isinstance(value, _OPAQUE) or depth > _DEPTH or id(value) in seen:
        held.append(value)
        return ("id", id(value))
    known = shaped.get(id(value))
    if known is not None and known[0] <= depth:  # met again in this snapshot, walked as deep
        return known[1]
    shape = _walk(value, kind, seen, depth + 1, held, shaped)
    shaped[id(value)] = (depth, shape)
    held.append(value)  # alive while the snapshot lives: its id is not reused
    return shape


def _walk(
    value: Any, kind: type, seen: set[int], deeper: int, held: list[Any], shaped: dict[int, tuple[int, Any]]
) -> Any:
    """``_shape`` of a container or an object: through its items or attributes."""
    seen.add(id(value))
    try:
        if isinstance(value, dict):
            items = tuple(
                (_shape(k, seen, deeper, held, shaped), _shape(v, seen, deeper, held, shaped))
                for k, v in value.items()
            )
            return ("dict", kind, items)
        if isinstance(value, (list, tuple)):
            return ("seq", kind, tuple(_shape(v, seen, deeper, held, shaped) for v in value))
        if isinstance(value, (set, frozenset)):
            counts: dict[Any, int] = {}  # a multiset: items of one shape are each counted
            for v in value:
                shape = _shape(v, seen, deeper, held, shaped)
                counts[shape] = counts.get(shape, 0) + 1
            return ("set", kind, frozenset(counts.items()))
        if isinstance(value, (str, bytes, bytearray, bool, int, float, complex)):
            return ("value", kind, bytes(value) if isinstance(value, bytearray) else value)
        attributes = getattr(value, "__dict__", None)
        held.append(kind)
        if isinstance(attributes, dict):
            return ("object", id(kind), _shape(attributes, seen, deeper, held, shaped))
        held.append(value)
        return ("id", id(value))
    finally:
        seen.discard(id(value))
