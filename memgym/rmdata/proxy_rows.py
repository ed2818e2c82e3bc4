"""A proxy's records file as MemRM rows: what ``memgym proxy export`` writes for ``memgym rm score``."""

from __future__ import annotations

from pathlib import Path

from memgym.memory.history.records import read_lines
from memgym.rm.rows import record_row, write_jsonl


def export_rows(path: str | Path, out: str | Path) -> int:
    """Write the records of a proxy's records file ``path`` as MemRM rows (``record_row``, with
    the line's ``brief``) to ``out``, the JSONL ``memgym rm score`` reads; the count written."""
    rows = [
        record_row(record, str(raw.get("brief", "")), source="proxy")
        for raw, record in read_lines(path)
    ]
    return int(write_jsonl(out, rows))
