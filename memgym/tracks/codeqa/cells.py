"""The query table's cells at any stream position, read from each field's history.

``Asker.table(p)`` folds every fact stated in the first ``p`` items into a ``memgym.query.Table``.
Most golds read only a few cells of it (``value``, ``previous``, ``hop`` and ``path`` ops), so
building a whole table per drawn position is wasted work: ``FieldCells`` folds each field's
facts once per scenario (``Table.add``'s rule), and ``CellsAt`` answers ``get`` at a position by
a bisection over the field's positions. ``tests/tracks/test_codeqa_cells.py`` checks every cell
against the folded tables.
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


class CellsAt(Table):
    """A read-only table at position ``p`` for the ops that only ``get`` cells (``value``,
    ``previous``, ``hop``, ``path``); it has no rows, so a ``count`` must use a real table."""

    def __init__(self, cells: FieldCells, p: int) -> None:
        super().__init__()
        self.field_cells = cells
        self.p = p

    def get(self, entity: str, attribute: str) -> Cell | None:
        return self.field_cells.get(entity, attribute, self.p)
