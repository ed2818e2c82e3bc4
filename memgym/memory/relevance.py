"""The ``relevance`` memory: a context that keeps what looks relevant, not what is recent.

A retrieval-style compaction: when the kept observations exceed ``max_tokens``, the ones that
share the fewest words with the brief and the questions asked so far go first (the oldest first
among equals); the newest observation always stays unless it alone is over budget. Where a
window forgets by age, this forgets by a guess at relevance, which is why MemRM holds it out of
training entirely (a strategy family it never saw). With ``first=relevant`` the order turns round:
the spans sharing the *most* words go first (a strategy that drops what the task asks about at
the same budget and pace, for ranking tests where counting compactions cannot tell harm apart).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from memgym.caches import per_scenario
from memgym.memory.context import ContextMemory, Stage, span_tokens, text_tokens
from memgym.memory.registry import register_memory
from memgym.tracks.base import Track
from memgym.types import AskedQuestion, Span

FIRST = ("least", "relevant")
"""What goes first when over budget: the least relevant spans (default) or the most relevant."""
_WORD = re.compile(r"[a-z0-9]{4,}")


@per_scenario
@lru_cache(maxsize=1 << 14)
def words(text: str) -> frozenset[str]:
    """Lower-case words of four or more letters or digits."""
    return frozenset(_WORD.findall(text.lower()))


class RelevanceStage(Stage):
    """Drops the spans sharing the fewest words with ``query`` until the rest fit."""

    def __init__(self, max_tokens: int, first: str = "least") -> None:
        if not isinstance(max_tokens, int) or isinstance(max_tokens, bool) or max_tokens < 0:
            raise ValueError(
                f"relevance: max_tokens must be a non-negative integer, got {max_tokens!r}"
            )
        if first not in FIRST:
            raise ValueError(f"relevance: first must be one of {', '.join(FIRST)}, got {first!r}")
        self.max_tokens = max_tokens
        self.first = first
        self.query: frozenset[str] = frozenset()

    def reset(self) -> None:
        self.query = frozenset()

    def read(self, brief: str, asked: Sequence[AskedQuestion]) -> None:
        self.query = _query(brief, tuple(asked))

    def shrink(self, spans: list[Span]) -> list[Span]:
        total = span_tokens(spans)
        if total <= self.max_tokens:
            return spans
        sign = 1 if self.first == "least" else -1
        order = sorted(
            range(len(spans) - 1),
            key=lambda i: (sign * len(words(spans[i].text) & self.query), i),
        )
        order.append(len(spans) - 1)
        gone = set()
        for i in order:
            if total <= self.max_tokens:
                break
            total -= text_tokens(spans[i].text)
            gone.add(i)
        return [s for i, s in enumerate(spans) if i not in gone]

    def config(self) -> str:
        extra = "" if self.first == "least" else f",first={self.first}"
        return f"relevance:max_tokens={self.max_tokens}{extra}"


def _query(brief: str, asked: Sequence[AskedQuestion]) -> frozenset[str]:
    return words(brief).union(*(words(q.text) for q in asked))


@register_memory("relevance")
def relevance(track: Track, max_tokens: int = 4000, first: str = "least") -> ContextMemory:
    """The observations most relevant to the brief and the questions asked, in ``max_tokens``
    (``first=relevant``: the least relevant, dropping the most relevant first)."""
    stage = RelevanceStage(max_tokens, first)
    return ContextMemory([stage], stage.config())
