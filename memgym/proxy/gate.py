"""The optional MemRM gate: refuse compactions the reward model scores harmful.

MemRM lives in ``memgym.rm`` and needs the ``rm`` extra; both are imported only when a gate is
asked for. A compaction is scored as the row MemRM reads (``memgym.rm.rows.record_row``: brief,
kept view, dropped spans) by the model ``memgym.rm.models.load_model`` loads (``lite`` file or
``lm`` folder).
"""

from __future__ import annotations

import importlib
from pathlib import Path

from memgym.proxy.session import Gate
from memgym.types import CompactionRecord


def load_gate(path: str) -> Gate:
    """The gate scoring compactions with the MemRM model at ``path``; ``ValueError`` when the
    model or ``memgym.rm`` is missing."""
    if not Path(path).exists():
        raise ValueError(f"--gate: no MemRM model at {path}")
    try:
        models = importlib.import_module("memgym.rm.models")
        rows = importlib.import_module("memgym.rm.rows")
    except ImportError as exc:
        raise ValueError(
            f"--gate needs MemRM (memgym.rm): pip install 'memgym[rm]' ({exc})"
        ) from None
    model = models.load_model(path)

    def gate(brief: str, record: CompactionRecord) -> float:
        return float(model.predict([rows.record_row(record, brief)])[0])

    return gate
