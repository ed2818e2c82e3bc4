"""The ``full`` memory: everything observed, cut to the reasoner's context limit if one is given."""

from __future__ import annotations

from memgym.memory.context import ContextMemory
from memgym.memory.registry import register_memory
from memgym.memory.window import WindowStage
from memgym.tracks.base import Track


@register_memory("full")
def full(track: Track, max_tokens: int | None = None) -> ContextMemory:
    """The whole stream; with ``max_tokens`` (a context limit) the oldest observations are cut
    whole until the rest fits, which is recorded as a compaction like any other."""
    stage = WindowStage(max_tokens, name="full")
    return ContextMemory([stage], stage.config())
