"""The entities track's question draft: what ``questions`` draws, ``guard`` checks and
``assemble`` places (its own file, so the guard and the builders need not import each other)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from memgym.query import Table
from memgym.types import AnswerType, Fact, QuestionKind


@dataclass(slots=True)
class Draft:
    """A question before it has an id: where it goes, what it asks, what proves it, its gold."""

    p: int
    kind: QuestionKind
    spec: dict[str, Any]
    text: str
    evidence: list[Fact]
    answer_type: AnswerType
    tolerance: float
    table: Table
    gold: Any = None
    commit: Callable[[], None] | None = None
