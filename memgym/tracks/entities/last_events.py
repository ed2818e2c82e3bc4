"""One-event memories: what an agent that keeps only the last event of one kind answers.

An agent tells the stream's event kinds apart from their text alone: documents (a profile or a
fact sheet), labelled corrections ("Correction: ... (previously reported ...)"), unlabeled
status updates, and memos (which state nothing). A memory of the last event of one kind answers
a question from that event's statements alone: the query over them, or a value of the asked
field it states about anyone. A memory of the last change of either kind (a word like "update"
or "now" marks both in key-value streams) holds the later of the last correction and the last
update, so checking those two covers it. ``LastEvents`` gives, at any stream position, the table of
what each such event states, so the guard can redraw a question whose gold one of them gives.
"""

from __future__ import annotations

from bisect import bisect_left

from memgym.query import Cell, Table
from memgym.tracks.entities.stream import Timeline
from memgym.tracks.entities.world import CORRECTION, UPDATE, World

KINDS = ("document", CORRECTION, UPDATE)
"""The kinds of events that state values, whose last one a one-event memory keeps."""


class LastEvents:
    """The last event of every kind before any stream position, as the table it states."""

    def __init__(self, world: World, timeline: Timeline) -> None:
        self.world = world
        order = sorted(range(len(world.changes)), key=timeline.change_pos.__getitem__)
        self.kinds: list[tuple[list[int], list[tuple[int, int]]]] = [
            (list(timeline.doc_pos), [(0, e) for e in range(len(world.names))])
        ]
        """Per kind: the positions of its events in stream order, and each event as (0, an
        entity) for a document or (1, a change index)."""
        for kind in KINDS[1:]:
            chosen = [c for c in order if world.changes[c].kind == kind]
            self.kinds.append(([timeline.change_pos[c] for c in chosen], [(1, c) for c in chosen]))
        self._tables: dict[tuple[int, int], Table] = {}

    def tables(self, p: int) -> list[Table]:
        """What the last event of each kind before item ``p`` states (kinds with none before
        it left out)."""
        out = []
        for positions, events in self.kinds:
            i = bisect_left(positions, p)
            if i:
                out.append(self.table(events[i - 1]))
        return out

    def table(self, event: tuple[int, int]) -> Table:
        """The table of one event's statements: a document's every stated field, a
        correction's new value with the one it replaces, an update's new value and the
        unchanged ones it restates."""
        found = self._tables.get(event)
        if found is None:
            world = self.world
            fields, texts = world.layout.names, world.texts
            kind, index = event
            row: dict[str, Cell] = {}
            if kind == 0:
                hidden = world.hidden.get(index)
                row = {fields[f]: Cell(t) for f, t in enumerate(texts[index]) if f != hidden}
                e = index
            else:
                change = world.changes[index]
                e = change.entity
                row = {fields[r]: Cell(texts[e][r]) for r in change.restate}
                previous = change.old_text if change.kind == CORRECTION else None
                row[fields[change.field]] = Cell(change.new_text, previous)
            found = self._tables[event] = Table()
            found.rows[world.names[e]] = row
        return found
