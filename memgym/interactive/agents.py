"""Agents of interactive tracks: the scripted reference agents and ``make_agent`` (the contract and
the registry are in ``agent``).

An agent sees only the view its memory strategy left of the history (``act(messages, tools)``)
and answers with one ``AgentTurn``. Three scripted agents need no model and bound every track:

- ``gold`` replays the gold plan of each task (the ceiling: every task solvable);
- ``context`` replays a gold step only when every value the step needs is visible in its view,
  and skips it otherwise: it can act only on what its memory kept, so it falls under tight
  compaction (the probe that makes memory matter without a model);
- ``noop`` does nothing and says so (the floor).

``gold`` and ``context`` read the plan through the session's oracle channel, which the loop hands
only to agents that declare ``needs_oracle``; the ``llm`` agent (``memgym.interactive.llm_agent``)
never sees it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from memgym.specs import make_named
from memgym.tracks.agent import _AGENTS, DONE, Agent, Oracle, register_agent
from memgym.tracks.base import Track
from memgym.tracks.session import AgentTurn, ChatMessage, ToolCall


def make_agent(spec: str, track: Track) -> Agent:
    """Build the agent named by ``spec`` (``name:key=value,...``) for ``track``."""
    from memgym.interactive import llm_agent  # noqa: F401  (registers "llm")

    return make_named(spec, track, _AGENTS, "agent", "agents")


def agent_names() -> list[str]:
    from memgym.interactive import llm_agent  # noqa: F401  (registers "llm")

    return sorted(_AGENTS)


class PlanFollower(Agent):
    """Walks the current task's gold plan one step per turn, then says it is done."""

    needs_oracle = True

    def reset(self, oracle: Oracle | None = None) -> None:
        if oracle is None:
            raise ValueError(f"agent {self.name!r} needs the session's oracle")
        self._oracle = oracle
        self._task = ""
        self._next = 0
        self._calls = 0

    def act(self, messages: Sequence[ChatMessage], tools: Sequence[dict[str, Any]]) -> AgentTurn:
        plan = self._oracle()
        if plan is None:
            return AgentTurn(DONE)
        if plan.task_id != self._task:
            self._task, self._next = plan.task_id, 0
        visible = visible_text(messages)
        while self._next < len(plan.steps):
            step = plan.steps[self._next]
            self._next += 1
            if self.can_make(step.needs, visible):
                return self._renumbered(step.turn)
        return AgentTurn(DONE)

    def can_make(self, needs: tuple[str, ...], visible: str) -> bool:
        """Whether a step needing ``needs`` can be made with ``visible`` in view."""
        return True

    def _renumbered(self, turn: AgentTurn) -> AgentTurn:
        """``turn`` with fresh, unique tool-call ids."""
        calls = []
        for c in turn.tool_calls:
            self._calls += 1
            calls.append(ToolCall(f"call_{self._calls}", c.name, c.arguments))
        return AgentTurn(turn.content, tuple(calls))


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
