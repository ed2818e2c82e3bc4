"""The ``closed-book`` memory: the empty view, brief included; the closed-book probe as a memory.

``compare`` asks each question closed-book to find the answers a reasoner gets right from priors
or the question text alone (leaked, left out of isolated scores). As a memory the probe runs
through the ordinary run path (``--resume``, ``--shard``, Ray, the results file), which is how
``memgym eval`` runs it. Unlike ``none`` it shows nothing at all, not even the brief.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from memgym.memory.base import Memory
from memgym.memory.registry import register_memory
from memgym.tracks.base import Track
from memgym.types import Event, Question, View


@register_memory("closed-book")
class ClosedBookMemory(Memory):
    """Shows nothing: every question is asked with an empty view."""

    name = "closed-book"

    def __init__(self, track: Track) -> None:
        return None

    def reset(self, brief: str, params: Mapping[str, Any]) -> None:
        return None

    def observe(self, event: Event) -> None:
        return None

    def recall(self, question: Question) -> View:
        return View()
