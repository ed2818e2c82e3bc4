"""Terminal tables that fit the terminal: nothing is ever cut to ``agen…``.

A table is described by its columns (each with a priority) and rows of cells; a cell is text or a
``(value, detail)`` pair such as a mean and its ``±`` standard error. ``fit`` picks the first
layout whose natural width fits: every column with details inline; details on a second line and
shorter headers; then the lowest-priority columns dropped one by one, the caption naming them (the
full data is in ``--json``). Labels are never wrapped or cut.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich import box
from rich.console import Console, Group, RenderableType
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

Cell = str | tuple[str, str]


@dataclass(frozen=True)
class Column:
    """A column: its header, a narrower header (may hold a line break) for tight layouts, its
    priority (the lowest is dropped first; ``None``: never dropped, never wrapped) and, for a
    column of long text (lists), the width at which its text wraps."""

    header: str
    short: str | None = None
    priority: int | None = None
    justify: str = "right"
    wrap_at: int | None = None


def _cell(cell: Cell, stacked: bool) -> str:
    if isinstance(cell, str):
        return cell
    value, detail = cell
    if not detail:
        return value
    return f"{value}\n{detail}" if stacked else f"{value}{detail}"


def build(
    title: str,
    columns: Sequence[Column],
    rows: Sequence[Sequence[Cell]],
    stacked: bool = False,
    keep: Sequence[int] | None = None,
) -> Table:
    """The table with the columns at indices ``keep`` (default all)."""
    keep = list(range(len(columns))) if keep is None else list(keep)
    table = Table(
        title=title,
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        collapse_padding=True,
        title_justify="left",
    )
    for i in keep:
        col = columns[i]
        header = (col.short or col.header) if stacked else col.header
        table.add_column(
            header,
            justify=col.justify,  # type: ignore[arg-type]
            no_wrap=col.priority is None,
            max_width=col.wrap_at if stacked else None,
        )
    for row in rows:
        table.add_row(*(_cell(row[i], stacked) for i in keep))
    return table


def width_of(table: RenderableType, console: Console) -> int:
    """The table's natural width: the columns it needs for no cell to wrap."""
    options = console.options.update_width(100_000)
    return Measurement.get(console, options, table).maximum


def fit(
    title: str,
    columns: Sequence[Column],
    rows: Sequence[Sequence[Cell]],
    width: int,
    console: Console,
    caption: str | None = None,
) -> RenderableType:
    """The first layout of the table that fits in ``width`` columns (see the module doc), with
    ``caption`` (and the names of dropped columns) as lines below it."""
    table = build(title, columns, rows)
    keep = list(range(len(columns)))
    dropped: list[int] = []
    if width_of(table, console) > width:
        table = build(title, columns, rows, stacked=True)
        droppable = sorted((c.priority, i) for i, c in enumerate(columns) if c.priority is not None)
        for _, index in droppable:
            if width_of(table, console) <= width:
                break
            keep.remove(index)
            dropped.append(index)
            table = build(title, columns, rows, stacked=True, keep=keep)
    notes = [caption] if caption else []
    if dropped:
        names = ", ".join(columns[i].header for i in sorted(dropped))
        notes.append(f"not shown at {width} columns: {names} (see --json)")
    return Group(table, *(Text.from_markup(n) for n in notes)) if notes else table
