"""A plugin for ``bench/bench_boundary.py``: memgym's ``full`` memory registered from outside
memgym as ``plugin-full``, so the bench can time the boundary a third-party memory crosses (a
worker child that never plays a scenario twice) against the same code in process."""

from __future__ import annotations

from memgym.memory.context import ContextMemory
from memgym.memory.full import full
from memgym.memory.registry import register_memory
from memgym.tracks.base import Track


@register_memory("plugin-full")
def plugin_full(track: Track, max_tokens: int | None = None) -> ContextMemory:
    """``full``, as a plugin."""
    return full(track, max_tokens)
