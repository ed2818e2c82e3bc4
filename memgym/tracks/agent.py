"""The agent contract of interactive tracks and its registry: ``Agent`` (one ``AgentTurn`` per
call, from the view its memory left) and ``register_agent``. The reference agents and
``make_agent`` are in ``memgym.interactive.agents``; the ``llm`` agent in ``memgym.interactive.llm_agent``."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from typing import Any, ClassVar

from memgym.tracks.session import AgentTurn, ChatMessage, OraclePlan

Oracle = Callable[[], OraclePlan | None]
DONE = "I have done everything I can for this request."


class Agent(ABC):
    """Acts in an interactive session, one turn per call. Raises ``ModelError`` (scored) or
    ``InfraError`` (excluded, counted) on failure."""

    name: ClassVar[str]
    needs_oracle: ClassVar[bool] = False

    def reset(self, oracle: Oracle | None = None) -> None:
        """Start a session (``oracle``: the gold-plan channel, for reference agents only)."""

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
