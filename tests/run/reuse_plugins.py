"""A plugin for ``tests/run/test_worker_reuse.py``: ``tally`` counts, in its module's globals,
the episodes its process has started, and says the count in its config (what crosses the wire
at ``start``): a process that served an episode before would say more than 1."""

from __future__ import annotations

from memgym.memory.none import NoMemory
from memgym.memory.registry import register_memory
from memgym.tracks.base import Track

STARTED = [0]
"""Episodes started in this process (a note one episode leaves for the next)."""


@register_memory("tally")
class Tally(NoMemory):
    """``none``, counting the episodes of its process."""

    name = "tally"

    def __init__(self, track: Track) -> None:
        super().__init__(track)
        STARTED[0] += 1

    def config(self) -> str:
        return f"tally:started={STARTED[0]}"
