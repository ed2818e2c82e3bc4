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
from collections.abc import Iterator

from memgym.interactive.agents import Agent, PlanCursor
from memgym.interactive.snapshot import Snapshot, snapshot
from memgym.llm.usage import add_usage


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


def outside_state(agent: Agent) -> Snapshot:
    """The data the agent's classes and their modules hold (``memgym.interactive.snapshot``)."""
    return snapshot(type(agent).__mro__)


def changed_by(agent: Agent, before: Snapshot) -> str:
    """``""`` when ``agent``'s outside state still equals ``before``, else why the run fails."""
    if outside_state(agent) == before:
        return ""
    return (
        f"agent {agent.name!r} kept state across turns (its class or module data changed during "
        "a turn): an agent may know only what the loop hands it"
    )
