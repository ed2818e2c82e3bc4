"""Agents of interactive tracks: the contract, the registry and the scripted reference agents.

An agent sees only the view its memory strategy left of the history (``act(messages, tools)``)
and answers with one ``AgentTurn``. Three scripted agents need no model and bound every track:

- ``gold`` replays the gold plan of each task (the ceiling: every task solvable);
- ``context`` replays a gold step only when every value the step needs is visible in its view,
  and skips it otherwise: it can act only on what its memory kept, so it falls under tight
  compaction (the probe that makes memory matter without a model);
- ``noop`` does nothing and says so (the floor).

``gold`` and ``context`` read the plan through a ``PlanCursor`` over the session's oracle
channel, which the loop hands only to agents that declare ``needs_oracle``; the ``llm`` agent
(``memgym.interactive.llm_agent``) never sees it. Agents are stateless by contract
(``memgym.interactive.stateless``): each turn is acted by a fresh copy of the agent, so whatever
an agent must carry from turn to turn is the loop's (the view, and the cursor's place in the
plan).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from typing import Any, ClassVar

from memgym.interactive.session import AgentTurn, ChatMessage, OraclePlan, OracleStep, ToolCall
from memgym.specs import make_named
from memgym.tracks.base import Track

DONE = "I have done everything I can for this request."


class Agent(ABC):
    """Acts in an interactive session, one turn per call. Raises ``ModelError`` (scored) or
    ``InfraError`` (excluded, counted) on failure."""

    name: ClassVar[str]
    needs_oracle: ClassVar[bool] = False

    def reset(self, oracle: PlanCursor | None = None) -> None:
        """Start a turn on a fresh copy (``oracle``: the gold-plan cursor, for reference agents
        only). Nothing set here or in ``act`` reaches the next turn."""

    @abstractmethod
    def act(self, messages: Sequence[ChatMessage], tools: Sequence[dict[str, Any]]) -> AgentTurn:
        """The next turn, given the view of the history and the tools on offer."""

    def usage(self) -> dict[str, float]:
        """LLM spend so far (``{}`` without a model)."""
        return {}

    def model_id(self) -> str:
        """The model behind the agent ("scripted" without one)."""
        return "scripted"

    def config(self) -> str:
        """The spec string that recreates this agent."""
        return self.name

    def close(self) -> None:
        """Release connections."""


AgentFactory = Callable[..., Agent]
_AGENTS: dict[str, AgentFactory] = {}


def register_agent(name: str) -> Callable[[AgentFactory], AgentFactory]:
    """Decorator registering an agent factory, called as ``factory(track, **options)``."""

    def decorate(factory: AgentFactory) -> AgentFactory:
        _AGENTS[name] = factory
        return factory

    return decorate


def make_agent(spec: str, track: Track) -> Agent:
    """Build the agent named by ``spec`` (``name:key=value,...``) for ``track``."""
    from memgym.interactive import cheats, llm_agent  # noqa: F401  (register theirs)

    return make_named(spec, track, _AGENTS, "agent", "agents")


def agent_names() -> list[str]:
    from memgym.interactive import cheats, llm_agent  # noqa: F401  (register theirs)

    return sorted(_AGENTS)


class PlanCursor:
    """A reference agent's place in the gold plan of the task in progress, held by the loop (an
    agent lives one turn): ``steps`` yields the steps not yet taken, each taken as it is
    yielded, and starts over when the session moves to another task."""

    def __init__(self, oracle: Callable[[], OraclePlan | None]) -> None:
        self._oracle = oracle
        self._task = ""
        self._next = 0
        self._calls = 0

    def steps(self) -> Iterator[OracleStep]:
        """The steps of the current task not yet taken (none when the session is over)."""
        plan = self._oracle()
        if plan is None:
            return
        if plan.task_id != self._task:
            self._task, self._next = plan.task_id, 0
        while self._next < len(plan.steps):
            self._next += 1
            yield plan.steps[self._next - 1]

    def pending(self) -> tuple[OracleStep, ...]:
        """The steps of the current task not yet taken, without taking them."""
        plan = self._oracle()
        if plan is None:
            return ()
        return plan.steps[self._next if plan.task_id == self._task else 0 :]

    def renumbered(self, turn: AgentTurn) -> AgentTurn:
        """``turn`` with fresh tool-call ids, unique in the session."""
        calls = []
        for c in turn.tool_calls:
            self._calls += 1
            calls.append(ToolCall(f"call_{self._calls}", c.name, c.arguments))
        return AgentTurn(turn.content, tuple(calls))


class PlanFollower(Agent):
    """Takes the current task's next gold step each turn, then says it is done."""

    needs_oracle = True

    def reset(self, oracle: PlanCursor | None = None) -> None:
        if oracle is None:
            raise ValueError(f"agent {self.name!r} needs the session's oracle")
        self._cursor = oracle

    def act(self, messages: Sequence[ChatMessage], tools: Sequence[dict[str, Any]]) -> AgentTurn:
        visible = visible_text(messages)
        for step in self._cursor.steps():
            if self.can_make(step.needs, visible):
                return self._cursor.renumbered(step.turn)
        return AgentTurn(DONE)

    def can_make(self, needs: tuple[str, ...], visible: str) -> bool:
        """Whether a step needing ``needs`` can be made with ``visible`` in view."""
        return True


def visible_text(messages: Sequence[ChatMessage]) -> str:
    """Everything an agent can read in ``messages``: contents and tool-call arguments."""
    parts: list[str] = []
    for m in messages:
        content = m.get("content")
        if isinstance(content, str):
            parts.append(content)
        for c in m.get("tool_calls") or []:
            parts.append(str((c.get("function") or {}).get("arguments", "")))
    return "\n".join(parts)


@register_agent("gold")
class GoldAgent(PlanFollower):
    """Replays every step of each task's gold plan: the ceiling."""

    name = "gold"

    def __init__(self, track: Track) -> None:
        pass


@register_agent("context")
class ContextAgent(PlanFollower):
    """Makes a gold step only when every value it needs is visible in its view."""

    name = "context"

    def __init__(self, track: Track) -> None:
        pass

    def can_make(self, needs: tuple[str, ...], visible: str) -> bool:
        return all(n in visible for n in needs)


@register_agent("noop")
class NoopAgent(Agent):
    """Does nothing and says so: the floor."""

    name = "noop"

    def __init__(self, track: Track) -> None:
        pass

    def act(self, messages: Sequence[ChatMessage], tools: Sequence[dict[str, Any]]) -> AgentTurn:
        return AgentTurn(DONE)
