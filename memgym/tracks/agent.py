"""The agent contract of interactive tracks and its registry: ``Agent`` (one ``AgentTurn`` per
call, from the view its memory left) and ``register_agent``. The reference agents and
``make_agent`` are in ``memgym.interactive.agents``; the ``llm`` agent in ``memgym.interactive.llm_agent``."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from typing import Any, ClassVar, Self

from memgym.specs import register_factory
from memgym.tracks.session import AgentTurn, ChatMessage, OraclePlan, OracleStep, ToolCall

Oracle = Callable[[], OraclePlan | None]
DONE = "I have done everything I can for this request."


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


class Recipe:
    """How an agent was built: its class and the arguments it was called with. The loop builds
    each turn's agent afresh from it (``build``), never by copying an agent."""

    __slots__ = ("args", "cls", "kwargs")

    def __init__(self, cls: type[Agent], args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        self.cls, self.args, self.kwargs = cls, args, kwargs

    def build(self) -> Agent:
        """A new agent, as ``cls(*args, **kwargs)`` made it."""
        return self.cls(*self.args, **self.kwargs)


class Agent(ABC):
    """Acts in an interactive session, one turn per call. Raises ``ModelError`` (scored) or
    ``InfraError`` (excluded, counted) on failure."""

    name: ClassVar[str]
    needs_oracle: ClassVar[bool] = False

    def __new__(cls, *args: Any, **kwargs: Any) -> Self:
        """Record the arguments the agent is built with (its ``recipe``): the loop builds every
        turn's agent from them afresh (``make_agent(spec)`` passes the track and the spec's
        options)."""
        agent = super().__new__(cls)
        agent.__dict__["_recipe"] = Recipe(cls, args, dict(kwargs))
        return agent

    @property
    def recipe(self) -> Recipe:
        """How this agent was built (``Recipe``)."""
        return self.__dict__["_recipe"]  # type: ignore[no-any-return]

    def reset(self, oracle: PlanCursor | None = None) -> None:
        """Start a turn on an agent built afresh (``oracle``: the gold-plan cursor, for
        reference agents only). Nothing set here or in ``act`` reaches the next turn."""

    def turn_limit(self) -> int | None:
        """Turns per task the agent was configured with (``max_turns``); None: the loop's."""
        return None

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
    return register_factory(_AGENTS, name, "agent")


def agent_factory(name: str) -> AgentFactory | None:
    """The factory registered as agent ``name`` (None when none is, in this process)."""
    return _AGENTS.get(name)
