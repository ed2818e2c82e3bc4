"""The Reasoner contract and registry."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from typing import Any, ClassVar

from memgym.specs import factory_module, make_named, register_factory
from memgym.tracks.base import Track
from memgym.types import Question, View


class Reasoner(ABC):
    """Answers a question from a view, as text. Raises ``ModelError``/``InfraError`` on failure."""

    name: ClassVar[str]

    def reset(self, brief: str, params: Mapping[str, Any]) -> None:
        """Start an episode."""
        self.brief = brief
        self.params = params

    @abstractmethod
    def answer(self, question: Question, view: View) -> str:
        """The answer text for ``question`` given ``view``."""

    def usage(self) -> dict[str, float]:
        """LLM spend so far (``Ledger.totals()`` keys plus ``tool_errors``); ``{}`` without LLM."""
        return {}

    def config(self) -> str:
        """The spec string that recreates this reasoner."""
        return self.name


ReasonerFactory = Callable[..., Reasoner]
_REASONERS: dict[str, ReasonerFactory] = {}


def register_reasoner(name: str) -> Callable[[ReasonerFactory], ReasonerFactory]:
    """Decorator registering a reasoner factory, called as ``factory(track, **options)``."""
    return register_factory(_REASONERS, name, "reasoner")


def make_reasoner(spec: str, track: Track) -> Reasoner:
    """Build the reasoner named by ``spec`` (``name:key=value,...``) for ``track``."""
    return make_named(spec, track, _REASONERS, "reasoner", "reasoners")


def reasoner_names() -> list[str]:
    return sorted(_REASONERS)


def reasoner_factory(name: str) -> ReasonerFactory | None:
    """The factory registered as reasoner ``name`` (None when none is, in this process)."""
    return _REASONERS.get(name)


def reasoner_module(name: str) -> str | None:
    """The module that registered reasoner ``name`` (None when no module did, in this process)."""
    return factory_module(_REASONERS, name)
