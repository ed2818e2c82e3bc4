"""The ``summary`` memory: a window of recent observations after a rolling summary of the rest.

What falls out of the window is folded into the summary. The summariser here is extractive and
needs no LLM: it reads the claims of the dropped texts with the track's reader and keeps the
latest value of every attribute (and the value it replaced) as canonical note lines, capped at
``summary_tokens`` by dropping the entities updated longest ago. The window gets the rest of
``max_tokens``, so the whole context never exceeds ``max_tokens``.
"""

from __future__ import annotations

from collections.abc import Callable

from memgym.claims import Claim, render_record
from memgym.memory.context import ContextMemory, Note, Stage, text_tokens
from memgym.memory.registry import register_memory
from memgym.memory.window import WindowStage
from memgym.query import Table
from memgym.tracks.base import Track
from memgym.types import Span

HEADER = "Summary of earlier records:"


class Summary(Note):
    """The rolling summary span (it states no fact id of its own)."""


class SummaryStage(Stage):
    """Window of ``max_tokens - summary_tokens`` plus an extractive summary of what left it."""

    def __init__(
        self, read: Callable[[str], list[Claim]], max_tokens: int, summary_tokens: int
    ) -> None:
        if not isinstance(summary_tokens, int) or not 0 <= summary_tokens <= max_tokens:
            raise ValueError(
                f"summary: summary_tokens must be an integer in [0, max_tokens], got "
                f"{summary_tokens!r}"
            )
        self.read = read
        self.max_tokens = max_tokens
        self.summary_tokens = summary_tokens
        self.window = WindowStage(max_tokens - summary_tokens, name="summary")
        self.table = Table()
        self.recent: dict[str, None] = {}  # entities, least recently updated first

    def reset(self) -> None:
        self.table = Table()
        self.recent = {}

    def shrink(self, spans: list[Span]) -> list[Span]:
        raw = [s for s in spans if not isinstance(s, Summary)]
        kept = self.window.shrink(raw)
        if kept is raw:
            return spans
        for span in raw[: len(raw) - len(kept)]:
            for claim in self.read(span.text):
                self.table.add(claim)
                self.recent.pop(claim.entity, None)
                self.recent[claim.entity] = None
        text = self.render()
        if not text:
            return kept
        return [Summary(step=raw[len(raw) - len(kept) - 1].step, text=text), *kept]

    def render(self) -> str:
        """The summary text: header and note lines, newest entities kept within the cap."""
        lines: list[str] = []
        budget = self.summary_tokens - text_tokens(HEADER)
        for entity in reversed(self.recent):
            row = self.table.rows[entity]
            line = render_record(entity, [(a, c.value, c.previous) for a, c in row.items()])
            cost = text_tokens(line)
            if cost > budget:
                break
            budget -= cost
            lines.append(line)
        return "\n".join([HEADER, *reversed(lines)]) if lines else ""

    def config(self) -> str:
        return f"summary:max_tokens={self.max_tokens},summary_tokens={self.summary_tokens}"


@register_memory("summary")
def summary(
    track: Track, max_tokens: int = 4000, summary_tokens: int | None = None
) -> ContextMemory:
    """A rolling extractive summary (default cap: a quarter of ``max_tokens``) and a window."""
    cap = max_tokens // 4 if summary_tokens is None else summary_tokens
    stage = SummaryStage(track.read_cached, max_tokens, cap)
    return ContextMemory([stage], stage.config())
