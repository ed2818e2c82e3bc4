"""Export the episodes of a results file: JSONL (one whole episode per line, answers included,
compaction records as a count) or CSV (one flat row per episode, axes as columns)."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from memgym.files import atomic_path
from memgym.run.results import ResultsStore

FORMATS = ("jsonl", "csv")
FLAT = (
    "run_id",
    "key",
    "track",
    "seed",
    "scenario_hash",
    "memory",
    "reasoner",
    "model",
    "status",
    "composite",
    "accuracy",
    "abstention",
    "questions",
    "correct",
    "writes_used",
    "tokens_observed",
    "tokens_stored",
    "compactions",
)


def export_format(path: str | Path, fmt: str | None = None) -> str:
    """``fmt``, or the format named by ``path``'s extension; ``ValueError`` if neither is known."""
    name = fmt or Path(path).suffix.lstrip(".").lower()
    if name not in FORMATS:
        raise ValueError(
            f"cannot tell the export format of {path}: name it .jsonl or .csv, or give --format"
        )
    return name


def episode_rows(store: ResultsStore, run_id: int | None = None) -> Iterator[dict[str, Any]]:
    """Every stored episode (of ``run_id``, or all) as a plain dict with its run id, key and
    number of compactions (answers included), in insertion order."""
    index = store.episode_index(run_id)
    pairs = store.keyed_episodes(run_id, compactions=False)
    for (rid, compactions), (key, result) in zip(index, pairs, strict=True):
        row = result.model_dump(mode="json", exclude={"compactions"})
        yield {"run_id": rid, "key": key, **row, "compactions": compactions}


def flat(row: dict[str, Any], axes: list[str]) -> dict[str, Any]:
    """One CSV row: the ``FLAT`` columns, one column per axis, params and usage as JSON."""
    out = {name: row.get(name) for name in FLAT}
    out.update({f"axis_{a}": row["axes"].get(a) for a in axes})
    out["params"] = json.dumps(row["params"], sort_keys=True)
    out["usage"] = json.dumps(row["usage"], sort_keys=True)
    return out


def export(
    store: ResultsStore, path: str | Path, fmt: str | None = None, run_id: int | None = None
) -> int:
    """Write the episodes (of ``run_id``, or all) to ``path``; returns how many were written."""
    name = export_format(path, fmt)
    if run_id is not None:
        store.run_config(run_id)  # ValueError for an unknown run
    rows = list(episode_rows(store, run_id))
    with atomic_path(path) as temp, open(temp, "w", newline="", encoding="utf-8") as f:
        if name == "jsonl":
            f.writelines(json.dumps(row, sort_keys=True) + "\n" for row in rows)
        else:
            axes = sorted({a for row in rows for a in row["axes"]})
            columns = [*FLAT, *(f"axis_{a}" for a in axes), "params", "usage"]
            writer = csv.DictWriter(f, fieldnames=columns)
            writer.writeheader()
            writer.writerows(flat(row, axes) for row in rows)
    return len(rows)
