"""The ``rag-bm25`` memory: every observation a chunk in the SQLite store, top ``k`` by BM25.

Nothing is ever dropped, so it records no compactions; what it loses, it loses at retrieval:
the view holds the brief and the ``k`` chunks that best match the question's text, in stream
order.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from memgym.memory.base import Memory
from memgym.memory.registry import register_memory
from memgym.memory.store import Store
from memgym.tracks.base import Track
from memgym.types import Event, Message, Question, View

QUIET_KINDS = frozenset({"question"})


@register_memory("rag-bm25")
class Bm25Memory(Memory):
    """Chunks (one per observation) in an unbudgeted store, searched by the question text."""

    name = "rag-bm25"

    def __init__(self, track: Track, k: int = 5) -> None:
        if not isinstance(k, int) or isinstance(k, bool) or k < 1:
            raise ValueError(f"rag-bm25: k must be a positive integer, got {k!r}")
        self.k = k
        self.store: Store | None = None
        self.brief = ""

    def reset(self, brief: str, params: Mapping[str, Any]) -> None:
        if self.store is not None:
            self.store.close()
        self.store = Store()
        self.brief = brief

    def observe(self, event: Event) -> None:
        if event.kind in QUIET_KINDS or self.store is None:
            return
        self.store.write(event.text)

    def recall(self, question: Question) -> View:
        hits = () if self.store is None else self.store.search(question.text, k=self.k).hits
        chunks = [Message(role="user", content=e.text) for e in sorted(hits, key=lambda e: e.id)]
        return View(messages=[Message(role="system", content=self.brief), *chunks])

    @property
    def tokens_stored(self) -> int:
        return 0 if self.store is None else self.store.tokens_used

    def config(self) -> str:
        return f"rag-bm25:k={self.k}"
