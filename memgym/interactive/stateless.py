"""Stateless agents by contract: everything an agent may know each turn comes through the loop.

An agent that kept notes of its own across turns would bypass the memory strategy being
measured (a web agent with a private dict of every id it saw solves every errand under
``none``). The loop therefore never lets an agent object live from one turn to the next:

- ``FreshAgents`` hands every turn a fresh deep copy of the agent as it was built, reset for
  that turn: what an agent writes to itself (``self.notes[...] = ...``) is gone at the next turn;
- ``outside_state`` fingerprints what a copy cannot wipe, the attributes of the agent's classes
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
import hashlib
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


def outside_state(agent: Agent) -> str:
    """A digest of the data the agent's classes and their modules hold (not their code)."""
    seen: set[int] = set()
    parts: list[str] = []
    modules: dict[str, types.ModuleType] = {}
    for cls in type(agent).__mro__:
        if cls.__module__ in ("builtins", "abc"):
            continue
        module = sys.modules.get(cls.__module__)
        if module is not None:
            modules[module.__name__] = module
        for key, value in vars(cls).items():
            if not key.startswith("__"):
                parts.append(f"{cls.__qualname__}.{key}={_digest(value, seen, 0)}")
    for name, module in modules.items():
        for key, value in vars(module).items():
            if not key.startswith("__"):
                parts.append(f"{name}.{key}={_digest(value, seen, 0)}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def changed_by(agent: Agent, before: str) -> str:
    """``""`` when ``agent``'s outside state still has digest ``before``, else why the run fails."""
    if outside_state(agent) == before:
        return ""
    return (
        f"agent {agent.name!r} kept state across turns (its class or module data changed during "
        "a turn): an agent may know only what the loop hands it"
    )


def _digest(value: Any, seen: set[int], depth: int) -> str:
    """A structural fingerprint of ``value``: plain data by content, containers and objects
    through their items and attributes, code by identity."""
    if value is None or isinstance(value, (bool, int, float, complex)):
        return repr(value)
    if isinstance(value, (str, bytes, bytearray)):
        return hashlib.sha256(value if not isinstance(value, str) else value.encode()).hexdigest()
    if isinstance(value, _OPAQUE) or depth > _DEPTH or id(value) in seen:
        return f"<{type(value).__name__} {id(value)}>"
    seen.add(id(value))
    try:
        if isinstance(value, dict):
            items = [f"{_digest(k, seen, depth + 1)}:{_digest(v, seen, depth + 1)}"
                     for k, v in value.items()]  # fmt: skip
            return "{" + ",".join(items) + "}"
        if isinstance(value, (list, tuple)):
            return "[" + ",".join(_digest(v, seen, depth + 1) for v in value) + "]"
        if isinstance(value, (set, frozenset)):
            return "{" + ",".join(sorted(_digest(v, seen, depth + 1) for v in value)) + "}"
        attributes = getattr(value, "__dict__", None)
        if isinstance(attributes, dict):
            return f"{type(value).__name__}({_digest(attributes, seen, depth + 1)})"
        return f"<{type(value).__name__} {id(value)}>"
    finally:
        seen.discard(id(value))
