"""The query table's cells at any stream position, read from each field's history.

A gold is ``memgym.query.evaluate`` over the table of every fact stated in the first ``p`` items.
Most golds read only a few cells of it (``value``, ``previous``, ``hop`` and ``path`` ops), and a
count only the attributes its conditions name, so building a whole table per drawn position is
wasted work: ``FieldCells`` folds each field's facts once (``Table.add``'s rule) when it is first
read, ``CellsAt`` answers ``get`` at a position by a bisection over the field's positions, and
``FieldCells.table`` gives the rows of the named attributes. ``tests/tracks/test_codeqa_cells.py``
checks both against tables folded fact by fact.
"""

from __future__ import annotations

from bisect import bisect_left

from memgym.query import Cell, Table
from memgym.tracks.codeqa.stream import FactRec

History = dict[tuple[str, str], list[tuple[int, FactRec]]]


class FieldCells:
    """(entity, attribute) -> the cell after each of its facts, with the stating positions
    (folded when a field is first read: most fields never are)."""

    def __init__(self, history: History) -> None:
        self.history = history
        self.folded: dict[tuple[str, str], tuple[list[int], list[Cell]]] = {}
        self.entities: dict[str, list[str]] = {}
        """attribute -> the entities with a fact of it (in the history's order)."""
        for entity, attribute in history:
            self.entities.setdefault(attribute, []).append(entity)

    def _fold(self, key: tuple[str, str]) -> tuple[list[int], list[Cell]]:
        positions: list[int] = []
        cells: list[Cell] = []
        cell: Cell | None = None
        for pos, fact in self.history.get(key, ()):  # Table.add, no labelled previous value
            if cell is None:
                cell = Cell(fact.text)
            elif cell.value != fact.text:
                cell = Cell(fact.text, cell.value)
            positions.append(pos)
            cells.append(cell)
        found = self.folded[key] = (positions, cells)
        return found

    def get(self, entity: str, attribute: str, p: int) -> Cell | None:
        """The cell ``Table.get`` gives after the first ``p`` items (None: not stated yet)."""
        key = (entity, attribute)
        found = self.folded.get(key)
        positions, cells = self._fold(key) if found is None else found
        k = bisect_left(positions, p)
        return cells[k - 1] if k else None

    def table(self, p: int, attributes: set[str]) -> Table:
        """The rows of ``Table`` after the first ``p`` items with only ``attributes``' cells:
        what a ``count`` over conditions on those attributes reads (a row missing one of them
        is not counted, in the whole table or in this one)."""
        table = Table()
        rows = table.rows
        for attribute in attributes:
            for entity in self.entities.get(attribute, ()):
                cell = self.get(entity, attribute, p)
                if cell is not None:
                    rows.setdefault(entity, {})[attribute] = cell
        return table


class CellsAt(Table):
    """A read-only table at position ``p`` for the ops that only ``get`` cells (``value``,
    ``previous``, ``hop``, ``path``); it has no rows, so a ``count`` must use a real table."""

    def __init__(self, cells: FieldCells, p: int) -> None:
        super().__init__()
        self.field_cells = cells
        self.p = p

    def get(self, entity: str, attribute: str) -> Cell | None:
        return self.field_cells.get(entity, attribute, self.p)
