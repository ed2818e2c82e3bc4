"""The ``mask`` memory: older observations replaced by a one-line placeholder, recent ``keep`` kept."""

from __future__ import annotations

from typing import ClassVar

from memgym.memory.context import ContextMemory, Note, Stage
from memgym.memory.registry import register_memory
from memgym.tracks.base import Track
from memgym.types import Span


class Placeholder(Note):
    """What a masked observation leaves behind: where it was, not what it said."""


def placeholder(span: Span) -> Placeholder:
    """The placeholder for ``span`` (it states no fact)."""
    return Placeholder(step=span.step, text=f"[observation at step {span.step} omitted]")


class MaskStage(Stage):
    """Keeps the ``keep`` most recent observations verbatim and replaces every older one with
    ``older(span)``, a placeholder here (notes the memory wrote itself, such as placeholders and
    summaries, are neither counted nor replaced). ``headline`` subclasses it with another
    ``older``."""

    name: ClassVar[str] = "mask"

    def __init__(self, keep: int) -> None:
        if not isinstance(keep, int) or isinstance(keep, bool) or keep < 0:
            raise ValueError(f"{self.name}: keep must be a non-negative integer, got {keep!r}")
        self.keep = keep

    def older(self, span: Span) -> Span:
        """What stays of ``span`` once it is older than the last ``keep`` (``span`` itself to
        leave it as it is)."""
        return placeholder(span)

    def reset(self) -> None:
        return None

    def shrink(self, spans: list[Span]) -> list[Span]:
        out: list[Span] | None = None
        seen = 0
        for i in range(len(spans) - 1, -1, -1):
            span = spans[i]
            if isinstance(span, Note):
                continue
            seen += 1
            if seen > self.keep:
                cut = self.older(span)
                if cut is not span:
                    out = out if out is not None else list(spans)
                    out[i] = cut
        return spans if out is None else out

    def config(self) -> str:
        return f"{self.name}:keep={self.keep}"


@register_memory("mask")
def mask(track: Track, keep: int = 5) -> ContextMemory:
    """The last ``keep`` observations in full, placeholders for the rest."""
    stage = MaskStage(keep)
    return ContextMemory([stage], stage.config())
