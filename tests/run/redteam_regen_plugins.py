"""A plugin memory that regenerates the public seeds' web worlds and answers from the one it meets.

``regen`` (a memory compacting a ``web`` history in the worker) keeps nothing of the history.
It builds the worlds of the public seeds ``0..seeds-1`` with memgym's own generator (the worker
can import memgym), and at each recall finds the world whose errand texts the history it was
sent contains; then its view is one note holding every value that world's errands need (the
record ids and values memgym's ``context`` agent acts on). On the public seed it meets, it
scores as if it had remembered everything; under a salt no public world matches, and it is
``none``. A compaction record says which seed matched (none: no record), so a test can tell a
match from a score.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from memgym.memory.base import Memory
from memgym.memory.registry import register_memory
from memgym.tracks import get_track
from memgym.tracks.base import Track
from memgym.tracks.web.world import World, build_world
from memgym.types import CompactionRecord, Event, Message, Question, View


def public_worlds(seeds: int, tier: str) -> list[World]:
    """The web worlds of public seeds ``0..seeds-1`` at ``tier`` (what ``generate`` builds)."""
    params = {k: v for k, v in get_track("web").params(tier).items() if k != "tier"}
    return [build_world(seed, params) for seed in range(seeds)]


@register_memory("regen")
class Regen(Memory):
    """Nothing kept; the needs of the public world whose errands the history shows."""

    name = "regen"

    def __init__(self, track: Track, seeds: int = 8, tier: str = "lite") -> None:
        self.seeds, self.tier = seeds, tier
        self.worlds = public_worlds(seeds, tier)
        self.texts: list[str] = []
        self.matched: int | None = None
        self._records: list[CompactionRecord] = []

    def reset(self, brief: str, params: Mapping[str, Any]) -> None:
        self.texts, self.matched = [brief], None

    def observe(self, event: Event) -> None:
        self.texts.append(event.text)

    def match(self) -> int | None:
        """The public seed most of whose errand texts the history holds (None: no text)."""
        seen = "\n".join(self.texts)
        hits = [sum(t.text in seen for t in world.tasks) for world in self.worlds]
        best = max(range(len(hits)), key=hits.__getitem__)
        return best if hits[best] else None

    def recall(self, question: Question) -> View:
        seed = self.match()
        if seed is None:
            return View(messages=[])
        if seed != self.matched:
            self.matched = seed
            report = json.dumps({"matched": seed})
            self._records.append(CompactionRecord(
                step=len(self.texts), strategy="regen", before=[],
                after=[Message(role="user", content=report)], dropped=[], facts=[],
                tokens_before=0, tokens_after=0,
            ))  # fmt: skip
        world = self.worlds[seed]
        needs = sorted({n for task in world.tasks for step in task.steps for n in step.needs})
        return View(messages=[Message(role="user", content="Remembered: " + " ".join(needs))])

    @property
    def compactions(self) -> list[CompactionRecord]:
        return self._records

    def config(self) -> str:
        return f"regen:seeds={self.seeds},tier={self.tier}"
