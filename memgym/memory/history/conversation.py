"""One proxied conversation: a memgym memory strategy run over its chat history.

Each request repeats the whole history. The conversation remembers which body units its memory
has observed (by digest); a request whose body extends them feeds only the new units to the
memory, as ``document`` events whose step is the unit's index. The forwarded body is the memory's
view mapped back to units: a kept unit goes out as its original messages (tool calls with their
results), a note the memory wrote (placeholder, summary) as one user message.

Two things act on top of the strategy: a **gate** (a function scoring a compaction's harm) that
refuses a compaction by pinning the units it dropped back into every later view, and a **forced
compaction** (after the upstream said the context is too long) that drops the oldest half of the
view for good. Both are recorded as ``CompactionRecord``s like the strategy's own.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from memgym.memory.base import Memory
from memgym.memory.context import ContextMemory, Note, span_tokens
from memgym.memory.history.units import ChatMessage, History, Unit, digest, text_of
from memgym.memory.mask import Placeholder
from memgym.memory.reference import ReferenceMemory
from memgym.types import CompactionRecord, Event, Message, Question, Span

Gate = Callable[[str, CompactionRecord], float]
"""``gate(brief, record) -> P(HARMFUL)`` for one compaction."""


@dataclass(frozen=True)
class Entry:
    """One piece of the forwarded body: its position (a unit index), messages, text, and whether
    it is a unit (as opposed to a note the memory wrote)."""

    step: int
    messages: tuple[ChatMessage, ...]
    text: str
    unit: bool
    placeholder: bool = False


def note_entry(span: Span) -> Entry:
    """A note of the memory (placeholder, summary) as one user message."""
    message = {"role": "user", "content": span.text}
    return Entry(span.step, (message,), span.text, False, isinstance(span, Placeholder))


def needs_scenario(memory: Memory) -> bool:
    """Whether ``memory`` is a reference bound to a scenario's gold, which a proxy never has."""
    return isinstance(memory, ReferenceMemory)


class Conversation:
    """The memory state of one conversation. Not thread-safe by itself: hold ``lock``."""

    def __init__(
        self,
        key: str,
        memory: Memory,
        head: Sequence[ChatMessage],
        gate: Gate | None = None,
        threshold: float = 0.5,
    ) -> None:
        if needs_scenario(memory):
            raise ValueError(
                f"memory {memory.config()!r} reads the whole scenario and cannot run in a proxy"
            )
        self.key = key
        self.memory = memory
        self.brief = "\n".join(text_of(m.get("content")) for m in head)
        self.head_digest = _head_digest(head)
        self.units: list[Unit] = []
        self.floor = 0
        self.pinned: set[int] = set()
        self.gate = gate
        self.threshold = threshold
        self.seen = 0
        self.gate_scores: list[tuple[float, bool]] = []
        self.lock = threading.Lock()
        memory.reset(self.brief, {})

    @property
    def spec(self) -> str:
        return self.memory.config()

    def extends(self, history: History) -> bool:
        """Whether ``history`` has this conversation's head and starts with its observed units."""
        if _head_digest(history.head) != self.head_digest or len(history.body) < len(self.units):
            return False
        return all(a.digest == b.digest for a, b in zip(self.units, history.body, strict=False))

    def advance(
        self, history: History, spec: dict[str, Any]
    ) -> tuple[list[Entry], list[CompactionRecord]]:
        """Observe the new units of ``history`` and return the body to forward and the
        compactions they caused (gated ones included, marked in ``gate_scores``)."""
        for index in range(len(self.units), len(history.body)):
            unit = history.body[index]
            self.memory.observe(Event(step=index, kind="document", text=unit.text))
            self.units.append(unit)
        held = self.memory.compactions
        fresh = [c.model_copy(update={"episode": self.key}) for c in held[self.seen :]]
        self.seen += len(fresh)
        if held is self.memory.compactions:  # the memory's own list: drop what was handed on,
            held.clear()  # so a days-long conversation does not keep every view it ever had
            self.seen = 0
        self.gate_scores = []
        for record in fresh:
            self._judge(record)
        live = history.live.text if history.live is not None else ""
        return self.view(live, spec), fresh

    def _judge(self, record: CompactionRecord) -> None:
        if self.gate is None:
            return
        harm = float(self.gate(self.brief, record))
        refused = harm >= self.threshold
        if refused:
            self.pinned.update(s.step for s in record.dropped if self._is_unit(s))
        self.gate_scores.append((harm, refused))

    def _is_unit(self, span: Span) -> bool:
        return (
            not isinstance(span, Note)
            and 0 <= span.step < len(self.units)
            and self.units[span.step].text == span.text
        )

    def view(self, live: str, spec: dict[str, Any]) -> list[Entry]:
        """The body to forward now: the memory's view, refused compactions undone, minus what
        a forced compaction dropped."""
        entries = self._memory_entries(live, spec)
        if self.pinned:
            shown = {e.step for e in entries if e.unit}
            extra = [self._unit_entry(i) for i in sorted(self.pinned - shown)]
            entries = [e for e in entries if not (e.placeholder and e.step in self.pinned)]
            entries = sorted([*entries, *extra], key=lambda e: e.step)
        return [e for e in entries if e.step >= self.floor]

    def _unit_entry(self, index: int) -> Entry:
        unit = self.units[index]
        return Entry(index, unit.messages, unit.text, True)

    def _memory_entries(self, live: str, spec: dict[str, Any]) -> list[Entry]:
        memory = self.memory
        if isinstance(memory, ContextMemory):
            return [
                note_entry(s) if not self._is_unit(s) else self._unit_entry(s.step)
                for s in memory.spans
            ]
        question = Question(id="proxy", text=live, spec=spec)
        view = memory.recall(question)
        if view.store is not None:
            raise ValueError(
                f"memory {self.spec!r} answers through a searchable store, which a proxy cannot "
                "forward; use a context or retrieval memory"
            )
        return self._match(view.messages)

    def _match(self, messages: Sequence[Message]) -> list[Entry]:
        """View messages back to units by text, in order; unmatched texts become notes."""
        by_text: dict[str, list[int]] = {}
        for i, unit in enumerate(self.units):
            by_text.setdefault(unit.text, []).append(i)
        entries: list[Entry] = []
        last = -1
        for m in messages:
            if m.role == "system":
                continue
            later = [i for i in by_text.get(m.content, []) if i > last]
            if later:
                last = later[0]
                entries.append(self._unit_entry(last))
            else:
                entries.append(note_entry(Span(step=max(last, 0), text=m.content)))
        return entries

    def force(self, body: Sequence[Entry]) -> CompactionRecord | None:
        """Drop the oldest half of ``body`` (the body just forwarded) for good; the record, or
        None when there is nothing left to drop."""
        if not body:
            return None
        keep = body[len(body) // 2 :] if len(body) > 1 else []
        floor = keep[0].step if keep else body[-1].step + 1
        if floor <= body[0].step:
            floor = body[0].step + 1
            keep = [e for e in body if e.step >= floor]
        self.floor = max(self.floor, floor)
        dropped = [Span(step=e.step, text=e.text) for e in body if e.step < floor]
        before = [Message(role="user", content=e.text) for e in body]
        after = [Message(role="user", content=e.text) for e in keep]
        return CompactionRecord(
            episode=self.key,
            step=max(len(self.units) - 1, 0),
            strategy=f"{self.spec}+forced",
            before=before,
            after=after,
            dropped=dropped,
            facts=[],
            tokens_before=span_tokens([Span(step=0, text=e.text) for e in body]),
            tokens_after=span_tokens([Span(step=0, text=e.text) for e in keep]),
        )


def _head_digest(head: Sequence[ChatMessage]) -> int:
    return digest(head)
