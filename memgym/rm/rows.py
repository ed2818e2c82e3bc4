"""The MemRM row: one labelled compaction as plain JSON, and the JSONL files that hold them.

A row keeps the kept view (``after``) in full and the view before as references: every message
before a compaction is either still kept or among the dropped spans, so ``before_ref`` lists, per
message, ``i >= 0`` for ``after[i]`` or ``-(j + 1)`` for ``dropped[j]``. That halves the files.
``asked`` lists the questions asked before the compaction (``step``, ``text``); rows written
without it (proxy records, a hand-made file) read as "nothing asked yet".
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from memgym.files import atomic_path
from memgym.jsonl import json_objects
from memgym.types import AskedQuestion, CompactionRecord, Span

Row = dict[str, Any]
LABELS = ("SAFE", "HARMFUL")


def record_row(record: CompactionRecord, brief: str, **extra: Any) -> Row:
    """The row for ``record`` (``extra``: track, strategy, seed, label fields ...)."""
    after = [m.content for m in record.after]
    dropped = [{"step": s.step, "text": s.text, "facts": list(s.facts)} for s in record.dropped]
    where_after = {t: i for i, t in enumerate(after)}
    where_dropped = {d["text"]: -(j + 1) for j, d in enumerate(dropped)}
    before_ref = []
    for m in record.before:
        ref = where_dropped.get(m.content, where_after.get(m.content))
        if ref is None:
            raise ValueError(
                f"compaction at step {record.step}: a message before is neither kept nor dropped"
            )
        before_ref.append(ref)
    return {
        "episode": record.episode,
        "step": record.step,
        "strategy": record.strategy,
        "brief": brief,
        "after": after,
        "dropped": dropped,
        "before_ref": before_ref,
        "tokens_before": record.tokens_before,
        "tokens_after": record.tokens_after,
        "asked": asked_json(record.asked),
        **extra,
    }


def span_row(
    brief: str, dropped: Sequence[Span], kept: Sequence[Span], asked: Sequence[AskedQuestion]
) -> Row:
    """The row of a compaction a memory proposes (spans it would drop and keep), for scoring."""
    return {
        "brief": brief,
        "dropped": [{"step": s.step, "text": s.text, "facts": []} for s in dropped],
        "after": [s.text for s in kept],
        "before": [s.text for s in sorted([*dropped, *kept], key=lambda s: s.step)],
        "asked": asked_json(asked),
    }


def asked_json(asked: Iterable[AskedQuestion]) -> list[dict[str, Any]]:
    """Asked questions as plain JSON."""
    return [{"step": q.step, "text": q.text} for q in asked]


def asked_questions(row: Row) -> list[tuple[int, str]]:
    """(step, text) of the questions asked before the row's compaction, in the order asked
    ([] when not recorded)."""
    return [(q["step"], q["text"]) for q in row.get("asked") or ()]


def before_texts(row: Row) -> list[str]:
    """The view before the compaction, rebuilt from ``before_ref`` (or ``before`` when given)."""
    if "before" in row:
        return list(row["before"])
    after, dropped = row["after"], row["dropped"]
    return [after[r] if r >= 0 else dropped[-r - 1]["text"] for r in row["before_ref"]]


def dropped_spans(row: Row) -> list[tuple[int, str]]:
    """(step, text) of the dropped spans (a bare text counts as step 0)."""
    return [
        (int(d.get("step", 0)), str(d["text"])) if isinstance(d, dict) else (0, str(d))
        for d in row["dropped"]
    ]


def drops_fact(row: Row) -> bool:
    """Whether the compaction drops a span that states a fact (the rows where harm is possible:
    one that drops only filler, distractors or notes the memory keeps the lines of is never
    HARMFUL). Read from the dropped spans' fact ids, which no model reads."""
    return any(isinstance(d, dict) and d.get("facts") for d in row["dropped"])


def stratified(rows: Sequence[Row], n: int, seed: int = 0) -> list[Row]:
    """``n`` rows drawn without replacement, each (track, label) stratum keeping its share
    (largest remainders; ``random.Random(seed)`` within strata), in their original order."""
    import random

    if n >= len(rows):
        return list(rows)
    strata: dict[tuple[str, int], list[int]] = {}
    for i, r in enumerate(rows):
        strata.setdefault((str(r.get("track", "")), int(r.get("harmful", 0))), []).append(i)
    keys = sorted(strata)
    exact = {k: n * len(strata[k]) / len(rows) for k in keys}
    take = {k: int(exact[k]) for k in keys}
    for k in sorted(keys, key=lambda k: (take[k] - exact[k], k))[: n - sum(take.values())]:
        take[k] += 1
    rng = random.Random(seed)
    chosen = sorted(i for k in keys for i in rng.sample(strata[k], take[k]))
    return [rows[i] for i in chosen]


def write_jsonl(path: str | Path, rows: Iterable[Row]) -> int:
    """Write rows one JSON object per line, whole or not at all (a kill or a full disk leaves
    the previous file); the count written."""
    n = 0
    with atomic_path(path) as temp, open(temp, "w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, separators=(",", ":")) + "\n")
            n += 1
    return n


def read_jsonl(path: str | Path) -> Iterator[Row]:
    """Rows of a JSONL file; ``ValueError`` naming the line for a bad one."""
    with open(path, encoding="utf-8") as fh:
        for i, row in json_objects(fh, str(path)):
            if "after" not in row or "dropped" not in row:
                raise ValueError(
                    f"{path}: line {i} is not a compaction row (needs after and dropped)"
                )
            yield row


def labels(rows: Iterable[Row]) -> list[int]:
    """The 0/1 HARMFUL labels of rows (``ValueError`` if a row has none)."""
    out = []
    for row in rows:
        if "harmful" not in row:
            raise ValueError("row without a label: evaluate needs labelled rows (memgym rm build)")
        out.append(int(row["harmful"]))
    return out
