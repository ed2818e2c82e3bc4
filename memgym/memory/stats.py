"""The ``stats`` memory: an adversarial baseline that keeps only per-attribute statistics.

It remembers no entity, only the median (numbers) or most common value (text) of every attribute
it has read, and shows them as one note line for the placeholder entity ``*``. A benchmark that
can be gamed by "answer with the typical value" would let this score; ours must not.
"""

from __future__ import annotations

from bisect import insort
from collections import Counter
from collections.abc import Callable, Mapping
from statistics import median
from typing import Any

from memgym.claims import Claim, format_number, parse_number, render_record
from memgym.memory.base import Memory
from memgym.memory.registry import register_memory
from memgym.tracks.base import Track
from memgym.types import Event, Message, Question, View

TYPICAL = "*"


@register_memory("stats")
class StatsMemory(Memory):
    """Per-attribute medians and modes, no entities."""

    name = "stats"

    def __init__(self, track: Track) -> None:
        self.read: Callable[[str], list[Claim]] = track.read_cached
        self.values: dict[str, Tally] = {}
        self.brief = ""
        self.note: str | None = None

    def reset(self, brief: str, params: Mapping[str, Any]) -> None:
        self.brief = brief
        self.values = {}
        self.note = None

    def observe(self, event: Event) -> None:
        if event.kind == "question":
            return
        for claim in self.read(event.text):
            tally = self.values.get(claim.attribute)
            if tally is None:
                tally = self.values[claim.attribute] = Tally()
            tally.add(claim.value)
            self.note = None

    def recall(self, question: Question) -> View:
        if self.note is None:
            items = [(a, v.typical(), None) for a, v in self.values.items()]
            self.note = render_record(TYPICAL, items) if items else ""
        note = self.note
        return View(
            messages=[
                Message(role="system", content=self.brief),
                Message(role="user", content=note),
            ]
        )


def typical(values: list[str]) -> str:
    """The median of numeric values, else the most common value."""
    numbers = [parse_number(v) for v in values]
    if numbers and all(n is not None for n in numbers):
        mid = median(n for n in numbers if n is not None)
        integral = all("." not in v for v in values)
        return format_number(round(mid) if integral else mid)
    return Counter(values).most_common(1)[0][0]


class Tally:
    """The values seen for one attribute, kept so that ``typical`` of them costs no sort: the
    numbers in order (while every value is one), the text counts, whether all are integral."""

    __slots__ = ("counts", "integral", "numeric", "ordered")

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.ordered: list[float] = []
        self.numeric = True
        self.integral = True

    def add(self, value: str) -> None:
        self.counts[value] += 1
        if self.numeric:
            number = parse_number(value)
            if number is None:
                self.numeric = False
                self.ordered = []
            else:
                insort(self.ordered, number)
        self.integral = self.integral and "." not in value

    def typical(self) -> str:
        """``typical`` of the values added, in the order they were added."""
        if self.numeric and self.ordered:
            mid = median(self.ordered)
            return format_number(round(mid) if self.integral else mid)
        return self.counts.most_common(1)[0][0]
