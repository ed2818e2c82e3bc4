"""A compact, lossless encoding of an episode's compaction records, for the results file.

Successive records of one episode share almost every text: a window's ``after`` is the next
record's ``before`` less one observation, and the same texts reappear as dropped spans. ``pack``
stores each distinct text once per episode and every message, span or question asked as a
reference to it, then compresses the whole episode at once; ``unpack`` rebuilds records equal to the originals, field
for field (spans come back as plain ``Span``s, as from any JSON round trip). On a 10-seed standard
comparison of window, mask and summary at two budgets it stores 1.2 MB where one zlib-compressed
JSON record per compaction takes 10 MB; what is left is mostly each episode's own copy of the
scenario's texts.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Sequence
from typing import Any

from memgym.types import CompactionRecord

VERSION = 2
"""2: the questions asked are texts of the pool too (1 kept them whole in every record)."""


def pack(records: Sequence[CompactionRecord]) -> bytes:
    """The records as one compressed blob (texts deduplicated)."""
    texts: dict[str, int] = {}

    def ref(text: str) -> int:
        return texts.setdefault(text, len(texts))

    rows = []
    for record in records:
        row = record.model_dump(mode="json")
        for key in ("before", "after"):
            row[key] = [_message(m, ref(m["content"])) for m in row[key]]
        row["dropped"] = [{**s, "text": ref(s["text"])} for s in row["dropped"]]
        row["asked"] = [[q["step"], ref(q["text"])] for q in row["asked"]]
        rows.append(row)
    payload = {"v": VERSION, "texts": list(texts), "records": rows}
    return zlib.compress(json.dumps(payload, separators=(",", ":")).encode(), 9)


def _message(message: dict[str, Any], text: int) -> Any:
    """A user message as its text's index alone; any other as ``[role, index]``."""
    if set(message) != {"role", "content"}:
        return {**message, "content": text}
    return text if message["role"] == "user" else [message["role"], text]


def _unmessage(packed: Any, texts: list[str]) -> dict[str, Any]:
    if isinstance(packed, int):
        return {"role": "user", "content": texts[packed]}
    if isinstance(packed, list):
        return {"role": packed[0], "content": texts[packed[1]]}
    return {**packed, "content": texts[packed["content"]]}


def unpack(blob: bytes) -> list[CompactionRecord]:
    """The records ``pack`` stored; ``ValueError`` for a blob it did not write."""
    try:
        payload: dict[str, Any] = json.loads(zlib.decompress(blob))
    except (zlib.error, json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"not a packed compaction blob: {type(exc).__name__}: {exc}") from None
    if not isinstance(payload, dict) or payload.get("v") != VERSION:
        version = payload.get("v") if isinstance(payload, dict) else None
        raise ValueError(f"not a packed compaction blob: version {version!r}")
    try:
        texts: list[str] = payload["texts"]
        records = []
        for row in payload["records"]:
            for key in ("before", "after"):
                row[key] = [_unmessage(m, texts) for m in row[key]]
            row["dropped"] = [{**s, "text": texts[s["text"]]} for s in row["dropped"]]
            row["asked"] = [{"step": step, "text": texts[i]} for step, i in row["asked"]]
            records.append(CompactionRecord.model_validate(row))
    except (KeyError, IndexError, TypeError, ValueError) as exc:  # pydantic's errors included
        raise ValueError(f"not a packed compaction blob: {type(exc).__name__}: {exc}") from None
    return records
