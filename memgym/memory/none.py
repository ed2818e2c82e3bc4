"""The ``none`` memory: nothing survives; every question is asked closed-book."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from memgym.memory.base import Memory
from memgym.memory.registry import register_memory
from memgym.tracks.base import Track
from memgym.types import Event, Message, Question, View


@register_memory("none")
class NoMemory(Memory):
    """Keeps only the brief."""

    name = "none"

    def __init__(self, track: Track) -> None:
        self.brief = ""

    def reset(self, brief: str, params: Mapping[str, Any]) -> None:
        self.brief = brief

    def observe(self, event: Event) -> None:
        return None

    def recall(self, question: Question) -> View:
        return View(messages=[Message(role="system", content=self.brief)])
