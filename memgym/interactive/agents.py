"""Agents of interactive tracks: the scripted reference agents and ``make_agent`` (the contract and
the registry are in ``agent``).

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
(``memgym.interactive.stateless``): each turn is acted by an agent built afresh, so whatever
an agent must carry from turn to turn is the loop's (the view, and the cursor's place in the
plan).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from memgym.tracks.agent import DONE, Agent, PlanCursor, register_agent
from memgym.tracks.base import Track
from memgym.tracks.session import AgentTurn, ChatMessage


class PlanFollower(Agent):
    """Takes the current task's next gold step each turn, then says it is done."""

    needs_oracle = True

    def __init__(self, track: Track) -> None:
        """A plan follower needs nothing of the track: the session's oracle comes at ``reset``."""

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


@register_agent("context")
class ContextAgent(PlanFollower):
    """Makes a gold step only when every value it needs is visible in its view."""

    name = "context"

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
