"""Bounded event memories: what an agent that keeps a fixed number of events of one kind answers.

An agent tells the stream's event kinds apart from their text alone: documents (a profile or a
fact sheet), labelled corrections ("Correction: ... (previously reported ...)"), unlabeled
status updates, and memos (which state nothing). A memory of the last event of one kind answers
a question from that event's statements alone: the query over them, or a value of the asked
field it states about anyone. A memory of the last change of either kind (a word like "update"
or "now" marks both in key-value streams) holds the later of the last correction and the last
update, so checking those two covers it. ``LastEvents`` gives, at any stream position, the table of
what each such event states, so the guard can redraw a question whose gold one of them gives.

Change events are bounded the same way ``WINDOW`` deep: the last or the first ``WINDOW``
corrections, updates or changes of either kind (``windows``). A maintenance question asks about
a change with ``WINDOW`` changes of its kind before it and ``WINDOW`` more between it and the
question (``earliest``), so none of these memories holds it.
"""

from __future__ import annotations

from bisect import bisect_left

from memgym.query import Cell, Table
from memgym.tracks.entities.stream import Timeline
from memgym.tracks.entities.world import CORRECTION, UPDATE, World

KINDS = ("document", CORRECTION, UPDATE)
"""The kinds of events that state values, whose last one a one-event memory keeps."""


WINDOW = 16
"""How many change events of one kind a bounded memory may keep (the last or the first
``WINDOW``) and still answer no question: ``Guard.windowed`` redraws what such a window answers,
and maintenance questions ask only about changes no such window holds (``earliest``)."""

Event = tuple[int, int]
"""(0, an entity) for a document, (1, a change index) for a correction or an update."""
Kind = tuple[list[int], list[Event]]
"""The positions of a kind's events in stream order, and the events."""


class LastEvents:
    """The last event of every kind before any stream position, what it states and about whom."""

    def __init__(self, world: World, timeline: Timeline) -> None:
        self.world = world
        order = sorted(range(len(world.changes)), key=timeline.change_pos.__getitem__)
        self.kinds: list[Kind] = [
            (list(timeline.doc_pos), [(0, e) for e in range(len(world.names))])
        ]
        """Per kind (documents, corrections, updates): its events in stream order."""
        for kind in KINDS[1:]:
            chosen = [c for c in order if world.changes[c].kind == kind]
            self.kinds.append(([timeline.change_pos[c] for c in chosen], [(1, c) for c in chosen]))
        changes: Kind = ([timeline.change_pos[c] for c in order], [(1, c) for c in order])
        self.change_kinds = [*self.kinds[1:], changes]
        """The kinds whose last or first ``WINDOW`` events a window memory keeps: corrections,
        updates and changes of either kind. (Documents are left out: at lite ``WINDOW``
        documents are a third of the world, and keeping questions off the first and the last
        ``WINDOW`` of them leaves too few entities to ask about: see docs/tracks.md.)"""
        self._tables: dict[Event, Table] = {}

    def windows(self, p: int) -> list[list[Event]]:
        """What each ``WINDOW``-deep memory of change events holds before item ``p``: the last
        and the first ``WINDOW`` of each of ``change_kinds`` (empty windows left out)."""
        out = []
        for positions, events in self.change_kinds:
            i = bisect_left(positions, p)
            if i:
                out.append(events[max(0, i - WINDOW) : i])
                out.append(events[: min(i, WINDOW)])
        return out

    def earliest(self, timeline: Timeline) -> dict[int, int]:
        """change index -> the first question position with ``WINDOW`` changes of its kind
        after it, for every change with ``WINDOW`` of its kind before it (the changes a
        maintenance question may ask about; the others are decoys)."""
        out: dict[int, int] = {}
        for positions, events in self.kinds[1:]:
            for rank in range(WINDOW, len(events) - WINDOW):
                out[events[rank][1]] = positions[rank + WINDOW] + 1
        return out

    def before(self, p: int) -> list[Event]:
        """The last event of each kind before item ``p`` (kinds with none before it left out)."""
        out = []
        for positions, events in self.kinds:
            i = bisect_left(positions, p)
            if i:
                out.append(events[i - 1])
        return out

    def entity(self, event: Event) -> int:
        """The entity an event is about."""
        kind, index = event
        return index if kind == 0 else self.world.changes[index].entity

    def stated(self, event: Event, f: int) -> tuple[str, ...]:
        """The texts of field ``f`` an event states: a document's value (unless withheld), a
        correction's new value and the one it replaces, an update's new or restated value."""
        world = self.world
        kind, index = event
        if kind == 0:
            return () if world.hidden.get(index) == f else (world.texts[index][f],)
        change = world.changes[index]
        if change.field == f:
            if change.kind == CORRECTION:
                return (change.new_text, change.old_text)
            return (change.new_text,)
        return (world.texts[change.entity][f],) if f in change.restate else ()

    def merged(self, events: list[Event], entities: set[int]) -> Table | None:
        """The table of what ``events`` state about ``entities`` (later statements win); None
        when none of them is about one of ``entities``."""
        table: Table | None = None
        for event in events:
            if self.entity(event) in entities:
                table = table or Table()
                for name, row in self.table(event).rows.items():
                    table.rows.setdefault(name, {}).update(row)
        return table

    def table(self, event: Event) -> Table:
        """The table of an event's statements (``stated`` for every field it states, a
        correction's replaced value as the cell's previous one)."""
        found = self._tables.get(event)
        if found is None:
            world = self.world
            fields, texts = world.layout.names, world.texts
            kind, index = event
            if kind == 0:
                e, hidden = index, world.hidden.get(index)
                row = {fields[f]: Cell(t) for f, t in enumerate(texts[e]) if f != hidden}
            else:
                change = world.changes[index]
                e = change.entity
                row = {fields[r]: Cell(texts[e][r]) for r in change.restate}
                previous = change.old_text if change.kind == CORRECTION else None
                row[fields[change.field]] = Cell(change.new_text, previous)
            found = self._tables[event] = Table()
            found.rows[world.names[e]] = row
        return found
