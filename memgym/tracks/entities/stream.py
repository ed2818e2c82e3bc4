"""The order of events, and the world as it is known at any point of that order.

Documents come in entity order; each change lands at a random point after its entity's document
(nearer it more often: the remaining stream times a squared uniform draw, so early changes leave
room for questions many documents later);
memos land anywhere. A question "at p" is asked after the first ``p`` items, and ``Moment(p)``
answers what is true then: which entities have appeared and which fact holds for each field.
"""

from __future__ import annotations

import random as _random
from bisect import bisect_left
from dataclasses import dataclass

from memgym.query import Cell
from memgym.tracks.entities.world import Change, World
from memgym.types import Fact, Value

DOC, CHANGE, MEMO = 0, 1, 2


@dataclass(slots=True)
class Timeline:
    """Non-question items in stream order, as (kind, index), and where each doc and change is."""

    items: list[tuple[int, int]]
    doc_pos: list[int]
    change_pos: list[int]


def order(rng: _random.Random, world: World, memos: int) -> Timeline:
    """Interleave documents, changes (always after their entity's document) and ``memos`` memos."""
    random = rng.random
    n = len(world.names)
    keyed: list[tuple[float, int, int]] = [(float(e), DOC, e) for e in range(n)]
    for c, change in enumerate(world.changes):
        keyed.append((change.entity + 0.5 + random() * (n - change.entity), CHANGE, c))
    keyed.extend((random() * n, MEMO, m) for m in range(memos))
    keyed.sort()
    items = [(kind, index) for _, kind, index in keyed]
    doc_pos = [0] * n
    change_pos = [0] * len(world.changes)
    for pos, (kind, index) in enumerate(items):
        if kind == DOC:
            doc_pos[index] = pos
        elif kind == CHANGE:
            change_pos[index] = pos
    return Timeline(items, doc_pos, change_pos)


class Moment:
    """The world as known after the first ``p`` items of ``timeline``."""

    __slots__ = ("known", "p", "timeline", "world")

    def __init__(self, world: World, timeline: Timeline, p: int) -> None:
        self.world = world
        self.timeline = timeline
        self.p = p
        self.known = bisect_left(timeline.doc_pos, p)
        """Entities 0..known-1 have had their document (documents come in entity order)."""

    def change(self, e: int, f: int) -> Change | None:
        """The change to field ``f`` of ``e`` if it has happened by now."""
        c = self.world.change_of.get((e, f))
        if c is None or self.timeline.change_pos[c] >= self.p:
            return None
        return self.world.changes[c]

    def fact(self, e: int, f: int) -> Fact | None:
        """The fact that holds now for field ``f`` of ``e`` (None if never stated so far)."""
        if e >= self.known or self.world.hidden.get(e) == f:
            return None
        change = self.change(e, f)
        return change.new if change is not None else self.world.facts[e][f]

    def now(self, e: int, f: int) -> tuple[Fact, Cell, Value]:
        """``fact``, ``cell`` and the value that hold now for field ``f`` of a known entity whose
        document states it, with one lookup of the entity's change (the aggregate builders ask
        this of every entity a filter selects)."""
        world = self.world
        assert e < self.known and world.hidden.get(e) != f, "a known, stated field"
        c = world.change_of.get((e, f))
        if c is not None and self.timeline.change_pos[c] < self.p:
            change = world.changes[c]
            return change.new, Cell(change.new_text, change.old_text), change.new.value
        return world.facts[e][f], Cell(world.texts[e][f]), world.values[e][f]

    def cell(self, e: int, f: int) -> Cell | None:
        """What a ``memgym.query.Table`` filled with every fact so far holds for this field."""
        if e >= self.known or self.world.hidden.get(e) == f:
            return None
        change = self.change(e, f)
        if change is not None:
            return Cell(change.new_text, change.old_text)
        return Cell(self.world.texts[e][f])
