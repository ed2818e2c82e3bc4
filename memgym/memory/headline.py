"""The ``headline`` memory: older observations cut to their first line, recent ``keep`` whole.

Like ``mask`` it keeps a place for every observation, but what stays of an old one is its
headline (its first line, or its first sentence, at most ``HEADLINE_TOKENS`` tokens) rather than
a bare placeholder: the reader still sees what each old text was about, not what it said. MemRM
holds it out of training entirely (a strategy family it never saw).
"""

from __future__ import annotations

import re
from typing import ClassVar

from memgym.memory.context import ContextMemory, Note, text_tokens
from memgym.memory.mask import MaskStage
from memgym.memory.registry import register_memory
from memgym.tracks.base import Track
from memgym.types import Span

HEADLINE_TOKENS = 24
_SENTENCE_END = re.compile(r"(?<=[.!?:])\s")


class Headline(Note):
    """What stays of an old observation: its first line or sentence."""


def headline(span: Span) -> Span:
    """``span`` cut to its headline (``span`` itself when it is no longer than that)."""
    text = span.text.strip()
    first = text.split("\n", 1)[0]
    end = _SENTENCE_END.search(first)
    if end is not None:
        first = first[: end.start()]
    words = first.split()
    while words and text_tokens(" ".join(words) + " [...]") > HEADLINE_TOKENS:
        words.pop()  # the marker counts: a headline is at most HEADLINE_TOKENS, all told
    cut = " ".join(words) + " [...]"
    if len(cut) >= len(span.text):
        return span
    return Headline(step=span.step, text=cut)


class HeadlineStage(MaskStage):
    """Keeps the ``keep`` most recent observations whole and cuts every older one to its
    headline (notes, headlines included, are left alone)."""

    name: ClassVar[str] = "headline"

    def older(self, span: Span) -> Span:
        return headline(span)


@register_memory("headline")
def headline_memory(track: Track, keep: int = 5) -> ContextMemory:
    """The last ``keep`` observations whole, every older one as its headline."""
    stage = HeadlineStage(keep)
    return ContextMemory([stage], stage.config())
