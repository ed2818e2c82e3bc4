"""The ``summary`` memory: a window of recent observations after a rolling summary of the rest.

What falls out of the window is folded into the summary by a summariser (see
``memgym.memory.summarizers``) that sees only its previous summary and the texts leaving:
``summarizer=extractive`` (the default, no LLM) keeps the latest value of every attribute as
canonical note lines; ``summarizer=llm,model=...,base_url=...`` asks a chat model to (``timeout``,
``max_retries`` and ``cache``, a call cache file, as for the ``llm`` reasoner). The summary
is capped at ``summary_tokens`` and the window gets the rest of ``max_tokens``, so the whole
context never exceeds ``max_tokens``.
"""

from __future__ import annotations

from memgym.memory.context import ContextMemory, Note, Stage
from memgym.memory.registry import register_memory
from memgym.memory.summarizers import HEADER, ExtractiveSummarizer, LLMSummarizer, Summarizer
from memgym.memory.window import WindowStage
from memgym.tracks.base import Track
from memgym.types import Span

__all__ = ["HEADER", "Summary", "SummaryStage", "summary"]


class Summary(Note):
    """The rolling summary span (it states no fact id of its own)."""


class SummaryStage(Stage):
    """Window of ``max_tokens - summarizer.cap`` plus a summary of what left it."""

    def __init__(self, summarizer: Summarizer, max_tokens: int) -> None:
        cap = summarizer.cap
        if not isinstance(cap, int) or isinstance(cap, bool) or not 0 <= cap <= max_tokens:
            raise ValueError(
                f"summary: summary_tokens must be an integer in [0, max_tokens], got {cap!r}"
            )
        self.summarizer = summarizer
        self.max_tokens = max_tokens
        self.summary_tokens = cap
        self.window = WindowStage(max_tokens - cap, name="summary")
        self.text = ""

    def reset(self) -> None:
        self.text = ""

    def shrink(self, spans: list[Span]) -> list[Span]:
        raw = [s for s in spans if not isinstance(s, Summary)]
        kept = self.window.shrink(raw)
        if kept is raw:
            return spans
        cut = len(raw) - len(kept)
        self.text = self.summarizer.fold(self.text, [s.text for s in raw[:cut]])
        if not self.text:
            return kept
        return [Summary(step=raw[cut - 1].step, text=self.text), *kept]

    def usage(self) -> dict[str, float]:
        return self.summarizer.usage()

    def config(self) -> str:
        return (
            f"summary:max_tokens={self.max_tokens},summary_tokens={self.summary_tokens}"
            + self.summarizer.config()
        )


@register_memory("summary")
def summary(
    track: Track,
    max_tokens: int = 4000,
    summary_tokens: int | None = None,
    summarizer: str = "extractive",
    model: str = "memgym-scripted",
    base_url: str | None = None,
    timeout: float = 60.0,
    max_retries: int = 6,
    cache: str = "",
) -> ContextMemory:
    """A rolling summary (default cap: a quarter of ``max_tokens``) and a window."""
    if not isinstance(max_tokens, int) or isinstance(max_tokens, bool) or max_tokens < 0:
        raise ValueError(f"summary: max_tokens must be a non-negative integer, got {max_tokens!r}")
    cap = max_tokens // 4 if summary_tokens is None else summary_tokens
    folder: Summarizer
    if summarizer == "extractive":
        folder = ExtractiveSummarizer(track.read_cached, cap)
    elif summarizer == "llm":
        folder = LLMSummarizer(
            track.name, cap, model, base_url, timeout=timeout, max_retries=max_retries, cache=cache
        )
    else:
        raise ValueError(f"summary: summarizer must be extractive or llm, got {summarizer!r}")
    stage = SummaryStage(folder, max_tokens)
    return ContextMemory([stage], stage.config())
