"""The optional MemRM gate: refuse compactions the reward model scores harmful.

MemRM lives in ``memgym.rm`` and needs the ``rm`` extra; both are imported only when a gate is
asked for. A compaction is scored as the row MemRM reads (``memgym.rm.rows.record_row``: brief,
kept view, dropped spans) by the model ``memgym.rm.models.load_model`` loads (``lite`` file or
``lm`` folder).
"""

from __future__ import annotations

from pathlib import Path

from memgym.extras import require
from memgym.memory.history.conversation import Gate
from memgym.types import CompactionRecord


def load_gate(path: str) -> Gate:
    """The gate scoring compactions with the MemRM model at ``path``; ``ValueError`` when the
    model or ``memgym.rm`` is missing."""
    if not Path(path).exists():
        raise ValueError(f"--gate: no MemRM model at {path}")
    models = require("memgym.rm.models", "--gate (MemRM)", "rm")
    rows = require("memgym.rm.rows", "--gate (MemRM)", "rm")
    model = models.load_model(path)

    def gate(brief: str, record: CompactionRecord) -> float:
        return float(model.predict([rows.record_row(record, brief)])[0])

    return gate
