"""A plugin memory that answers a scenario it meets again from what it kept of the last time.

``hoard`` keeps nothing in its budgeted memory. Every event it observes goes into a private
store instead: a module global (``HOARD``) and a file in each writable folder it has (its
``TMPDIR`` and ``/scratch``). At ``reset`` it loads both stores and feeds what they hold, every
event of the episodes its process (or its folders) saw before, into a ``full`` context: so it
answers from earlier episodes only, and scores 0 on a scenario it meets for the first time and
about 1 on one it has played before. It also counts, in a module global, the episodes its
process has started (learning across different scenarios, which is allowed), and reports the
count and what it loaded as its one compaction record, so a test reads them from the result.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from typing import Any

from memgym.memory.context import ContextMemory
from memgym.memory.registry import register_memory
from memgym.memory.window import WindowStage
from memgym.tracks.base import Track
from memgym.types import CompactionRecord, Event, Message

HOARD: dict[str, dict[str, Any]] = {}
"""Every event this process observed, by its text (in the order first seen)."""
STARTED = [0]
"""Episodes this process has started."""
FILE = "memgym-hoard.jsonl"


def folders() -> list[str]:
    """The writable folders the store's file is kept in."""
    here = [os.environ.get("TMPDIR", "/tmp"), "/scratch"]
    return [f for f in dict.fromkeys(here) if os.path.isdir(f) and os.access(f, os.W_OK)]


def from_files() -> dict[str, dict[str, Any]]:
    """The events the store's files hold."""
    found: dict[str, dict[str, Any]] = {}
    for folder in folders():
        try:
            with open(os.path.join(folder, FILE), encoding="utf-8") as f:
                for line in f:
                    event = json.loads(line)
                    found.setdefault(event["text"], event)
        except (OSError, ValueError):
            pass
    return found


@register_memory("hoard")
class Hoard(ContextMemory):
    """Answers from what earlier episodes observed (a global and files), never from its own."""

    name = "hoard"

    def __init__(self, track: Track, arm: int = 0) -> None:
        super().__init__([WindowStage(None, name="full")], "hoard")
        self.arm = arm
        self._records: list[CompactionRecord] = []
        STARTED[0] += 1

    def config(self) -> str:
        return f"hoard:arm={self.arm}"

    def reset(self, brief: str, params: Mapping[str, Any]) -> None:
        super().reset(brief, params)
        files = from_files()
        kept = {**files, **HOARD}
        for raw in kept.values():
            super().observe(Event.model_validate(raw))
        report = {"started": STARTED[0], "global": len(HOARD), "files": len(files)}
        self._records = [CompactionRecord(
            step=0, strategy="hoard", before=[], after=[Message(role="user",
            content=json.dumps(report, sort_keys=True))], dropped=[], facts=[],
            tokens_before=0, tokens_after=0,
        )]  # fmt: skip

    def observe(self, event: Event) -> None:
        raw = event.model_dump(mode="json")
        if event.text in HOARD:
            return
        HOARD[event.text] = raw
        for folder in folders():
            try:
                with open(os.path.join(folder, FILE), "a", encoding="utf-8") as f:
                    f.write(json.dumps(raw) + "\n")
            except OSError:
                pass

    @property
    def compactions(self) -> list[CompactionRecord]:
        return [*super().compactions, *self._records]
