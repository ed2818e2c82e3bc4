"""The Memory contract: what survives of the stream, and what a reasoner sees at a question."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import Any, ClassVar

from memgym.types import CompactionRecord, Event, Question, View


class Memory(ABC):
    """A memory strategy. ``reset`` starts an episode, ``observe`` sees every event in order,
    ``recall`` builds the view for a question. A memory knows no scorer and no gold answers: it
    receives public events and questions (fresh copies) and nothing else."""

    name: ClassVar[str]

    @abstractmethod
    def reset(self, brief: str, params: Mapping[str, Any]) -> None:
        """Forget everything and start an episode with this brief and track params."""

    @abstractmethod
    def observe(self, event: Event) -> None:
        """See one event of the stream."""

    @abstractmethod
    def recall(self, question: Question) -> View:
        """The view a reasoner gets for ``question``."""

    @property
    def writes_used(self) -> int:
        """Store entries created so far (0 for memories without a store)."""
        return 0

    @property
    def tokens_stored(self) -> int:
        """Tokens held in memory now."""
        return 0

    @property
    def compactions(self) -> list[CompactionRecord]:
        """This episode's compactions, in order (empty for memories that never drop content)."""
        return []

    def usage(self) -> dict[str, float]:
        """LLM spend so far (``Ledger.totals()`` keys plus ``tool_errors``); ``{}`` without LLM."""
        return {}

    def config(self) -> str:
        """The spec string that recreates this memory (recorded with every result)."""
        return self.name
