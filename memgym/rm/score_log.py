"""Scoring many compactions in chunks, with progress, keeping the scores of a run that is killed.

An LM scores a few compactions a second on a CPU, so ``memgym rm score`` over a large results
file can run for an hour. The scores of each finished chunk are appended to a log beside the
output; run again on the same input with the same model, the scoring starts after the last chunk
the log holds. The log's first line names the model and the rows (digests), so a log of other
rows or another model is never read back; a chunk cut by a kill is a line that does not parse,
and is scored again.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

from memgym.files import write_atomic

CHUNK = 256


class Scorer(Protocol):
    """What a loaded MemRM model offers: P(HARMFUL) per row."""

    def predict(self, rows: Sequence[dict[str, Any]]) -> list[float]: ...


def model_digest(path: str | Path) -> str:
    """sha256 of a model file, or of every file of a model folder (names and contents)."""
    path = Path(path)
    digest = hashlib.sha256()
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    for file in files:
        digest.update(str(file.relative_to(path) if path.is_dir() else file.name).encode())
        with open(file, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


def rows_digest(rows: Sequence[dict[str, Any]]) -> str:
    """sha256 of the rows as canonical JSON: the same rows in the same order, the same digest."""
    digest = hashlib.sha256()
    for row in rows:
        digest.update(json.dumps(row, sort_keys=True, default=str).encode())
        digest.update(b"\n")
    return digest.hexdigest()


def predict_logged(
    model: Scorer,
    rows: Sequence[dict[str, Any]],
    log: Path | None,
    key: dict[str, str],
    advance: Callable[[int], None] = lambda _n: None,
) -> tuple[list[float], int]:
    """P(HARMFUL) of every row, scored ``CHUNK`` rows at a time, and how many were read back
    from ``log`` (a killed run's). Each chunk's scores go to ``log`` as one line as soon as they
    are known (no log: nothing is kept). ``key`` names the model and the rows; a log under
    another key is started afresh. ``advance(n)`` is called as n more rows are scored or read."""
    done = _read_log(log, key)[: len(rows)] if log is not None else []
    resumed = len(done)
    advance(resumed)
    with contextlib.ExitStack() as stack:
        out = None
        if log is not None:
            kept = json.dumps({"key": key}) + "\n" + (json.dumps(done) + "\n" if done else "")
            write_atomic(log, kept)  # what was read back, without a cut line, whole or not at all
            out = stack.enter_context(open(log, "a", encoding="utf-8"))
        for start in range(resumed, len(rows), CHUNK):
            scores = _chunk(model, rows[start : start + CHUNK], advance)
            if out is not None:
                out.write(json.dumps(scores) + "\n")
                out.flush()
            done += scores
    return done, resumed


def _chunk(
    model: Scorer, rows: Sequence[dict[str, Any]], advance: Callable[[int], None]
) -> list[float]:
    scores = [float(p) for p in model.predict(rows)]
    advance(len(scores))
    return scores


def _read_log(log: Path, key: dict[str, str]) -> list[float]:
    """The scores a log under ``key`` holds, chunk by chunk up to the first cut line ([] for no
    log, another key's, or a broken first line)."""
    try:
        lines = log.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return []
    try:
        if not lines or json.loads(lines[0]) != {"key": key}:
            return []
    except ValueError:
        return []
    scores: list[float] = []
    for line in lines[1:]:
        try:
            chunk = json.loads(line)
        except ValueError:
            break
        if not isinstance(chunk, list) or not all(isinstance(p, (int, float)) for p in chunk):
            break
        scores += [float(p) for p in chunk]
    return scores
