"""The contract between the agent loop and an interactive track's world.

A ``Session`` is one interactive episode: one or more tasks served in a row in one growing chat
history (a shift of customers, a series of issues in one code base, errands in one web app). The
loop sends the agent's turns to the session: tool calls to ``call``, text turns to ``reply``
(which answers as the other party: the customer, the next issue, or nothing when the session is
over). This module imports nothing of memgym: tracks implement it without knowing any agent.

The session alone holds the gold: it verifies each task when it ends and reports
``outcomes``. ``oracle`` is the explicit, narrow channel through which reference agents (the
gold-replay ceiling and the context-reading probe) see the current task's gold plan; an agent
being measured never gets it.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, Literal

from memgym.chat import assistant_message

ChatMessage = dict[str, Any]
OutcomeStatus = Literal["ok", "model_error", "infra_error"]


@dataclass(frozen=True)
class ToolCall:
    """A tool call as the agent wrote it; ``arguments`` is raw JSON text, not yet trusted."""

    id: str
    name: str
    arguments: str

    def parsed(self) -> dict[str, Any]:
        """The arguments as a JSON object; ``ValueError`` with a message the agent can act on.
        Arguments some servers send already decoded (a JSON object, not its text) are taken as
        they are; anything else that is not text is refused the same way."""
        raw: Any = self.arguments
        if isinstance(raw, dict):
            return dict(raw)
        if raw is not None and not isinstance(raw, str):
            raise ValueError(f"arguments of {self.name} must be a JSON object")
        try:
            value = json.loads(raw or "{}")
        except ValueError:
            raise ValueError(f"arguments of {self.name} are not valid JSON") from None
        if not isinstance(value, dict):
            raise ValueError(f"arguments of {self.name} must be a JSON object")  # noqa: TRY004
        return value


@dataclass(frozen=True)
class AgentTurn:
    """One reply of the agent: text for the other party, tool calls, or both."""

    content: str = ""
    tool_calls: tuple[ToolCall, ...] = ()

    def message(self) -> ChatMessage:
        """The assistant message for the history (``content`` always present: some servers
        refuse an echoed assistant message without it)."""
        return assistant_message(self.content, self.tool_calls)


def call(call_id: str, name: str, **arguments: Any) -> ToolCall:
    """A tool call with ``arguments`` as canonical JSON (what scripted agents write)."""
    return ToolCall(call_id, name, json.dumps(arguments, sort_keys=True, separators=(",", ":")))


@dataclass(frozen=True)
class OracleStep:
    """One step of a task's gold plan: the turn to make, and the strings an agent must see in its
    context to be able to make it (values it learned earlier in the session: an order id, a file
    and line, a customer's name). Empty ``needs``: the step needs nothing remembered."""

    turn: AgentTurn
    needs: tuple[str, ...] = ()


@dataclass(frozen=True)
class OraclePlan:
    """The gold plan of the task in progress, named by its task id."""

    task_id: str
    steps: tuple[OracleStep, ...]


@dataclass
class TaskOutcome:
    """One task's verified result. ``reward`` is in [0, 1]; ``detail`` says why (shown in
    results); ``status`` is ``model_error`` when the agent broke the protocol and ``infra_error``
    when the world or the model endpoint failed (excluded from scores and counted)."""

    task_id: str
    reward: float
    status: OutcomeStatus = "ok"
    detail: str = ""
    info: dict[str, Any] = field(default_factory=dict)
    scored: bool = True
    """False for a task that needs no memory (a review that only shows what later tasks need):
    it is reported apart (``setup_tasks`` / ``setup_solved`` in usage), never in the score."""


class Session(ABC):
    """One interactive episode of a track. Not thread-safe; used by one loop at a time."""

    tools: list[dict[str, Any]]
    """The OpenAI function schemas of the tools the agent may call."""
    calls_per_turn: int = 0
    """The most tool calls of one agent turn the loop carries out (0: no cap); each call beyond
    it is answered with an error and not carried out (``refused_calls`` in the episode's usage),
    so that a turn cannot show the next view a whole world at once."""

    @abstractmethod
    def start(self) -> list[ChatMessage]:
        """The opening messages: the system prompt and the first task's first user message."""

    @abstractmethod
    def call(self, tool_call: ToolCall) -> str:
        """Carry out one tool call and return its result text. A bad call (unknown tool, bad
        JSON, wrong arguments) returns an error text the agent can act on; it never raises."""

    @abstractmethod
    def reply(self, turn: AgentTurn | None) -> str | None:
        """The other party's answer to a text turn of the agent: the next user message, the
        next task's opening message once the current task is over, or None when the session is
        over. ``turn`` None: the agent ran out of turns on the current task, which ends it."""

    @abstractmethod
    def position(self) -> int:
        """The index of the task in progress (the number of tasks already ended)."""

    @abstractmethod
    def outcomes(self) -> list[TaskOutcome]:
        """Every task's outcome, in task order (tasks never reached score 0)."""

    def oracle(self) -> OraclePlan | None:
        """The gold plan of the task in progress (None when the track has none, or when the
        session is over). Only reference agents read it."""
        return None

    def close(self) -> None:
        """Release what the session holds (servers, browsers, temporary folders)."""
