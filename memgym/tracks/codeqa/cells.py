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
    """(entity, attribute) -> the cell after each of its facts, with the stating positions."""

    def __init__(self, history: History) -> None:
        self.positions: dict[tuple[str, str], list[int]] = {}
        self.cells: dict[tuple[str, str], list[Cell]] = {}
        for key, facts in history.items():
            cells: list[Cell] = []
            cell: Cell | None = None
            for _, fact in facts:  # Table.add for a claim without a labelled previous value
                if cell is None:
                    cell = Cell(fact.text)
                elif cell.value != fact.text:
                    cell = Cell(fact.text, cell.value)
                cells.append(cell)
            self.positions[key] = [pos for pos, _ in facts]
            self.cells[key] = cells

    def get(self, entity: str, attribute: str, p: int) -> Cell | None:
        """The cell ``Table.get`` gives after the first ``p`` items (None: not stated yet)."""
        key = (entity, attribute)
        positions = self.positions.get(key)
        if positions is None:
            return None
        k = bisect_left(positions, p)
        return self.cells[key][k - 1] if k else None


class CellsAt(Table):
    """A read-only table at position ``p`` for the ops that only ``get`` cells (``value``,
    ``previous``, ``hop``, ``path``); it has no rows, so a ``count`` must use a real table."""

    def __init__(self, cells: FieldCells, p: int) -> None:
        super().__init__()
        self.field_cells = cells
        self.p = p

    def get(self, entity: str, attribute: str) -> Cell | None:
        return self.field_cells.get(entity, attribute, self.p)
