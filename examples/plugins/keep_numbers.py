"""An example memory plugin: keep what states a number, within a token budget.

Run it behind the trust boundary (in a sandboxed worker) with ``--plugin`` and a file path::

    memgym run --track entities --seeds 3 --plugin examples/plugins/keep_numbers.py \\
        --memory keep-numbers:max_tokens=3000
    memgym compare --track entities --seeds 3 --plugin examples/plugins/keep_numbers.py \\
        --memories keep-numbers number-notes

The same file serves the interactive tracks (tau2, swe, web) unchanged: there the memory is fed
the agent's chat history, one ``document`` event per unit (a message, or a tool call with its
results), and what it keeps is the history the agent sees next turn::

    memgym compare --track swe --seeds 3 --plugin examples/plugins/keep_numbers.py \\
        --memories keep-numbers:max_tokens=3000 number-notes

It registers two memories, one per interface (docs/memory.md, "Write a memory"):

- ``keep-numbers`` is a ``Stage`` in memgym's ``ContextMemory``: the memory keeps every observed
  event as a span, and after each observation the stage shrinks the span list (here: drop the
  spans that state no number, then the oldest until the rest fit ``max_tokens``). The context
  memory shows the brief and the kept spans, and records every compaction for you.
- ``number-notes`` implements ``Memory`` itself (``reset``, ``observe``, ``recall``): it keeps
  the newest ``keep`` lines that hold a digit, from any event, as one note.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Mapping
from typing import Any

from memgym.memory.base import Memory
from memgym.memory.context import ContextMemory, Stage, span_tokens, text_tokens
from memgym.memory.registry import register_memory
from memgym.tracks.base import Track
from memgym.types import Event, Message, Question, Span, View

DIGIT = re.compile(r"\d")


class KeepNumbers(Stage):
    """Drops spans without a digit, then the oldest until the rest fit ``max_tokens``."""

    def __init__(self, max_tokens: int) -> None:
        if not isinstance(max_tokens, int) or max_tokens < 1:
            raise ValueError(f"keep-numbers: max_tokens must be a positive integer: {max_tokens!r}")
        self.max_tokens = max_tokens

    def reset(self) -> None:
        return None

    def shrink(self, spans: list[Span]) -> list[Span]:
        kept = [s for s in spans if DIGIT.search(s.text)]
        total = span_tokens(kept)
        while kept and total > self.max_tokens:
            total -= text_tokens(kept.pop(0).text)
        return spans if len(kept) == len(spans) else kept  # the same list: nothing compacted

    def config(self) -> str:
        return f"keep-numbers:max_tokens={self.max_tokens}"


@register_memory("keep-numbers")
def keep_numbers(track: Track, max_tokens: int = 4000) -> ContextMemory:
    """The newest observations stating a number that fit in ``max_tokens`` tokens."""
    stage = KeepNumbers(max_tokens)
    return ContextMemory([stage], stage.config())


@register_memory("number-notes")
class NumberNotes(Memory):
    """The newest ``keep`` lines holding a digit, shown as one note after the brief."""

    name = "number-notes"

    def __init__(self, track: Track, keep: int = 200) -> None:
        if not isinstance(keep, int) or keep < 1:
            raise ValueError(f"number-notes: keep must be a positive integer: {keep!r}")
        self.keep = keep
        self.brief = ""
        self.lines: deque[str] = deque(maxlen=keep)

    def reset(self, brief: str, params: Mapping[str, Any]) -> None:
        self.brief = brief
        self.lines.clear()

    def observe(self, event: Event) -> None:
        if event.kind == "question":  # questions are asked, not kept
            return
        self.lines.extend(line for line in event.text.splitlines() if DIGIT.search(line))

    def recall(self, question: Question) -> View:
        notes = Message(role="user", content="\n".join(self.lines))
        return View(messages=[Message(role="system", content=self.brief), notes])

    @property
    def tokens_stored(self) -> int:
        return sum(text_tokens(line) for line in self.lines)

    def config(self) -> str:
        return f"number-notes:keep={self.keep}"
