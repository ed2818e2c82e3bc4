"""The ``distractors`` memory: the distractors-only ablation.

It keeps every event of kind ``"distractor"`` (near misses and filler) and nothing else, and shows
them after the brief at each question. It is the evaluator's own ablation, a reference memory
(``memgym.memory.reference``): only references are told events' true kinds. A sound track scores (almost) nothing with it: if a
reasoner could answer from distractors alone, the near misses give the answer away. It never
drops what it kept, so it records no compaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from memgym.memory.reference import ReferenceMemory
from memgym.memory.registry import register_memory
from memgym.tokens import count_tokens
from memgym.tracks.base import Track
from memgym.types import Event, Message, Question, Scenario, View

KEPT_KIND = "distractor"


@register_memory("distractors")
class DistractorsMemory(ReferenceMemory):
    """Shows the brief and every distractor event seen so far, in stream order."""

    name = "distractors"

    def __init__(self, track: Track) -> None:
        self.brief = ""
        self.kept: list[str] = []
        self._tokens = 0

    def bind(self, scenario: Scenario) -> None:
        """Nothing to take: it reads the true kinds of the events it is shown."""

    def reset(self, brief: str, params: Mapping[str, Any]) -> None:
        self.brief = brief
        self.kept = []
        self._tokens = 0

    def observe(self, event: Event) -> None:
        if event.kind == KEPT_KIND:
            self.kept.append(event.text)
            self._tokens += count_tokens(event.text)

    def recall(self, question: Question) -> View:
        kept = [Message(role="user", content=text) for text in self.kept]
        return View(messages=[Message(role="system", content=self.brief), *kept])

    @property
    def tokens_stored(self) -> int:
        return self._tokens
