"""Stateless agents by contract: everything an agent may know each turn comes through the loop.

An agent that kept notes of its own across turns would bypass the memory strategy being
measured (a web agent with a private dict of every id it saw solves every errand under
``none``). The loop therefore never lets an agent object live from one turn to the next:

- ``FreshAgents`` builds every turn's agent afresh from its recipe (its class and the arguments
  it was built with: ``make_agent(spec)``'s track and options), reset for that turn, never a
  copy of another agent: what an agent writes to itself (``self.notes[...] = ...``) is gone at
  the next turn, whatever its ``__deepcopy__`` or its attributes' do;
- ``outside_state`` snapshots what a new agent does not wipe, the attributes of the agent's
  classes, the globals of their modules (and the module objects they reach) and the arguments
  it is built with (the track apart: the evaluator's, by identity); the loop takes it before
  and after every turn, and a turn that changed it fails the run (every task scores 0,
  ``model_error``).

The turn-to-turn bookkeeping the reference agents need (their place in the gold plan) is held
by the loop, in the ``PlanCursor`` it hands them (``memgym.interactive.agents``). State kept
beyond the process (files, other modules) is not seen in process: the official path runs an
evaluated agent in its own process, as every plugin runs.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from memgym.interactive.agents import Agent, PlanCursor
from memgym.interactive.snapshot import Snapshot, snapshot
from memgym.llm.usage import add_usage
from memgym.tracks.agent import Recipe
from memgym.tracks.base import Track

SpendListener = Callable[[Mapping[str, float]], None]
"""Told the session's LLM spend so far after every turn (a run's live progress reads it)."""


class FreshAgents:
    """A new agent per turn, built from ``agent``'s recipe; their LLM spend is summed as each
    turn's agent is closed, and handed to ``on_spend`` when given."""

    def __init__(
        self, agent: Agent, cursor: PlanCursor | None, on_spend: SpendListener | None = None
    ) -> None:
        self.recipe: Recipe = agent.recipe
        self.cursor = cursor
        self.spend: dict[str, float] = {}
        self.on_spend = on_spend

    @contextlib.contextmanager
    def turn(self) -> Iterator[Agent]:
        """A context of one turn: yields the turn's agent, then closes it and keeps its spend."""
        agent = self.recipe.build()
        agent.reset(self.cursor)
        try:
            yield agent
        finally:
            usage = dict(agent.usage())
            agent.close()
            self.spend = add_usage([self.spend, usage])
            if self.on_spend is not None:
                self.on_spend(self.spend)


def outside_state(agent: Agent) -> Snapshot:
    """The data the agent's classes and their modules hold (``memgym.interactive.snapshot``),
    and the arguments it is built with (a track by identity: the evaluator's object)."""
    recipe = agent.recipe
    args = tuple(_argument(a) for a in recipe.args)
    kwargs = {k: _argument(v) for k, v in sorted(recipe.kwargs.items())}
    return snapshot(recipe.cls.__mro__, (args, kwargs))


def _argument(value: Any) -> Any:
    """An argument as the snapshot walks it: a track by its id (the recipe holds it alive)."""
    return ("track", id(value)) if isinstance(value, Track) else value


def changed_by(agent: Agent, before: Snapshot) -> str:
    """``""`` when ``agent``'s outside state still equals ``before``, else why the run fails."""
    if outside_state(agent) == before:
        return ""
    return (
        f"agent {agent.name!r} kept state across turns (its class's, module's or arguments' data "
        "changed during a turn): an agent may know only what the loop hands it"
    )
