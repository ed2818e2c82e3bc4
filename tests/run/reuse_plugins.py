"""A plugin for ``tests/run/test_worker_reuse.py``: ``tally`` counts, in its module's globals,
the episodes its process has started, and says the count in its config (what crosses the wire
at ``start``): a process that served an episode before would say more than 1. ``squat`` leaves
what its child cannot empty from its scratch."""

from __future__ import annotations

import ctypes
import os
from collections.abc import Mapping
from typing import Any

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


@register_memory("squat")
class Squat(Tally):
    """``tally`` that, in the sandbox, mounts a tmpfs of its own inside its scratch and leaves a
    note in it, which emptying the scratch between episodes cannot remove."""

    name = "squat"

    def reset(self, brief: str, params: Mapping[str, Any]) -> None:
        super().reset(brief, params)
        folder = "/scratch/squat"
        if os.path.isdir("/scratch"):
            os.makedirs(folder, exist_ok=True)
            libc = ctypes.CDLL(None, use_errno=True)
            if libc.mount(b"tmpfs", folder.encode(), b"tmpfs", 0, b"mode=0777") != 0:
                raise OSError(ctypes.get_errno(), "squat: mount failed")
            with open(os.path.join(folder, "note"), "w", encoding="utf-8") as f:
                f.write(brief)

    def config(self) -> str:
        return f"squat:started={STARTED[0]}"
