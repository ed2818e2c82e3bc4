"""The proxy's results file: every compaction as one ``CompactionRecord`` JSON object per line.

``episode`` is the conversation id, so an external gym's per-conversation outcomes can be joined
to the records later. Each line also holds ``brief`` (the texts of the conversation's pinned
head: system prompt and task, which MemRM reads with a record) and, when a gate ran, ``gate``
(``p_harmful``, ``refused``); ``CompactionRecord`` ignores both keys when a line is read back.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from memgym.types import CompactionRecord


class RecordLog:
    """Appends records to a JSONL file, one line per record, flushed at once (thread-safe)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        try:
            self._file = self.path.open("a", encoding="utf-8")
        except OSError as exc:
            raise ValueError(f"cannot open records file {self.path}: {exc.strerror}") from None
        self._lock = threading.Lock()
        self.written = 0

    def write(
        self, record: CompactionRecord, brief: str = "", gate: dict[str, Any] | None = None
    ) -> None:
        row = record.model_dump(mode="json")
        row["brief"] = brief
        if gate is not None:
            row["gate"] = gate
        line = json.dumps(row, separators=(",", ":")) + "\n"
        with self._lock:
            self._file.write(line)
            self._file.flush()
            self.written += 1

    def close(self) -> None:
        with self._lock:
            self._file.close()


def read_records(path: str | Path) -> Iterator[CompactionRecord]:
    """The records of a JSONL file, in order; ``ValueError`` naming the line of a bad one."""
    return (record for _, record in read_lines(path))


def read_lines(path: str | Path) -> Iterator[tuple[dict[str, Any], CompactionRecord]]:
    """Each line of a records file as its JSON object (``brief`` and ``gate`` beside the record's
    fields) and its record, in order; ``ValueError`` naming the line of a bad one."""
    with Path(path).open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                raw = json.loads(line)
                yield raw, CompactionRecord.model_validate(raw)
            except ValueError as exc:
                raise ValueError(f"{path}:{number}: not a CompactionRecord: {_why(exc)}") from None


def _why(exc: ValueError) -> str:
    """A validation error in a few words: the fields missing, else the first field's problem."""
    if not isinstance(exc, ValidationError):
        return str(exc)
    errors = exc.errors()
    missing = [".".join(map(str, e["loc"])) for e in errors if e["type"] == "missing"]
    if missing:
        return "missing " + ", ".join(missing)
    first = errors[0]
    where = ".".join(map(str, first["loc"])) or "the line"
    return f"{where}: {first['msg']}" + (
        f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    )
