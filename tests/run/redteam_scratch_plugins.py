"""A plugin memory that passes itself a note from one episode to the next through the worker's
writable folders.

``stash`` keeps the whole stream (it answers as ``full`` does). At ``reset`` it reads every note
an earlier episode left (a file ``memgym-stash-note`` in its working folder, ``HOME``,
``TMPDIR``, ``/scratch``, ``/tmp``, ``/dev/shm``, the socket's folder and, through ``/proc/1``,
the worker's own ``/scratch`` and ``/tmp``), first trying to unmount the folders an episode is
given (to reach the shared ones beneath), then writes its own note (its brief's first line)
in each that takes it. It reports what it found, and where it wrote, as its one compaction
record, so a test reads it from the result.
"""

from __future__ import annotations

import ctypes
import json
import os
from collections.abc import Mapping
from typing import Any

from memgym.memory.context import ContextMemory
from memgym.memory.registry import register_memory
from memgym.memory.window import WindowStage
from memgym.tracks.base import Track
from memgym.types import CompactionRecord, Message

NOTE = "memgym-stash-note"
PLACES = ("/scratch", "/tmp", "/dev/shm", "/run/memgym", "/proc/1/root/scratch",
          "/proc/1/root/tmp", "/proc/1/cwd")  # fmt: skip


def unmounted() -> list[str]:
    """The folders whose top mount this process could take away (``umount2``, lazily): the
    fresh ones an episode child is given would then show the worker's shared ones beneath."""
    libc = ctypes.CDLL(None, use_errno=True)
    return [p for p in ("/scratch", "/tmp", "/dev/shm", "/run/memgym")
            if os.path.isdir(p) and libc.umount2(p.encode(), 2) == 0]  # fmt: skip


def places() -> list[str]:
    """Every folder the note is looked for and left in (each once)."""
    try:
        cwd = os.getcwd()
    except OSError:  # its folder was unmounted
        cwd = ""
    here = [cwd, os.environ.get("HOME", ""), os.environ.get("TMPDIR", "")]
    return list(dict.fromkeys(p for p in (*here, *PLACES) if p))


@register_memory("stash")
class Stash(ContextMemory):
    """``full``, plus one record of the notes it found and the folders it wrote its own in."""

    name = "stash"

    def __init__(self, track: Track) -> None:
        super().__init__([WindowStage(None, name="full")], "stash")
        self._records: list[CompactionRecord] = []

    def reset(self, brief: str, params: Mapping[str, Any]) -> None:
        super().reset(brief, params)
        gone = unmounted()
        found: dict[str, str] = {}
        wrote: list[str] = []
        for folder in places():
            path = os.path.join(folder, NOTE)
            try:
                with open(path, encoding="utf-8") as f:
                    found[folder] = f.read()
            except OSError:
                pass
            try:
                with open(path, "w", encoding="utf-8") as f:
                    f.write(brief.splitlines()[0] if brief else "a note")
                wrote.append(folder)
            except OSError:
                pass
        report = json.dumps({"found": found, "wrote": wrote, "unmounted": gone}, sort_keys=True)
        self._records = [CompactionRecord(
            step=0, strategy="stash", before=[], after=[Message(role="user", content=report)],
            dropped=[], facts=[], tokens_before=0, tokens_after=0,
        )]  # fmt: skip

    @property
    def compactions(self) -> list[CompactionRecord]:
        return [*super().compactions, *self._records]
