"""The research track's core events before they have steps, in blocks: what ``assemble`` lays
out and ``blind`` inserts into (their own file, so the two need not import each other)."""

from __future__ import annotations

from dataclasses import dataclass, field

from memgym.tracks.research.questions import Draft
from memgym.types import Fact


@dataclass(slots=True)
class Core:
    """One core event before it has a step."""

    kind: str
    text: str
    stated: list[Fact] = field(default_factory=list)
    question: Draft | None = None


Block = list[Core | None]
"""Consecutive core events; None marks a filler page inside the block."""
