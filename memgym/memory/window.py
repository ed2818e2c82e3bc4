"""The ``window`` memory: the most recent observations that fit in ``max_tokens``."""

from __future__ import annotations

from memgym.memory.context import ContextMemory, Stage, span_tokens, text_tokens
from memgym.memory.registry import register_memory
from memgym.tracks.base import Track
from memgym.types import Span


class WindowStage(Stage):
    """Drops the oldest spans until the rest fit in ``max_tokens`` (None: keep everything).

    Spans are kept or dropped whole, so one span longer than the budget is dropped too: the
    window never exceeds its budget.
    """

    def __init__(self, max_tokens: int | None, name: str = "window") -> None:
        if max_tokens is not None and (
            not isinstance(max_tokens, int) or isinstance(max_tokens, bool) or max_tokens < 0
        ):
            raise ValueError(
                f"{name}: max_tokens must be a non-negative integer, got {max_tokens!r}"
            )
        self.max_tokens = max_tokens
        self.name = name

    def reset(self) -> None:
        return None

    def shrink(self, spans: list[Span]) -> list[Span]:
        if self.max_tokens is None:
            return spans
        total = span_tokens(spans)
        cut = 0
        while total > self.max_tokens:
            total -= text_tokens(spans[cut].text)
            cut += 1
        return spans[cut:] if cut else spans

    def config(self) -> str:
        if self.max_tokens is None:
            return self.name
        return f"{self.name}:max_tokens={self.max_tokens}"


@register_memory("window")
def window(track: Track, max_tokens: int = 4000) -> ContextMemory:
    """The last ``max_tokens`` tokens of the stream, in whole observations."""
    stage = WindowStage(max_tokens)
    return ContextMemory([stage], stage.config())
