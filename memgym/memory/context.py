"""Context memories: the kept stream as a list of spans, shrunk by a chain of stages.

A context memory keeps what it observed as ``Span``s (an event's text and fact ids) and shows
them, after the brief, as the view's messages. After every observation its stages run in order,
each turning the span list into a shorter one (``window`` drops the oldest, ``mask`` replaces old
spans by placeholders, ``summary`` folds them into notes). Whenever that changes the list, the
memory appends a ``CompactionRecord`` naming exactly the spans that left and the fact ids they
carried. Questions are not observations: they never enter the context; the memory notes them
(``asked``) so each record says what had been asked before it, as MemRM reads it.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

from memgym.caches import per_scenario
from memgym.memory.base import Memory
from memgym.tokens import count_tokens
from memgym.types import AskedQuestion, CompactionRecord, Event, Message, Question, Span, View

QUIET_KINDS = frozenset({"question"})
"""Event kinds a context memory does not keep (questions are asked, not observed)."""


def in_step_order(spans: Sequence[Span], extra: Sequence[Span]) -> list[Span]:
    """``spans`` with ``extra`` inserted by step, each before the first span of a later step (so
    the stream order of what is read is kept)."""
    out: list[Span] = []
    queue = sorted(extra, key=lambda s: s.step)
    for span in spans:
        while queue and queue[0].step < span.step:
            out.append(queue.pop(0))
        out.append(span)
    return out + queue


class Note(Span):
    """A span the memory wrote itself (a placeholder, a summary): it states no fact id, and
    stages that act on observations (``mask``) leave it alone."""


class Stage(ABC):
    """One compaction step over the kept spans; stages are chained by ``pipeline``."""

    @abstractmethod
    def reset(self) -> None:
        """Forget per-episode state."""

    @abstractmethod
    def shrink(self, spans: list[Span]) -> list[Span]:
        """The spans to keep; return ``spans`` itself (the same list) when nothing changes."""

    @abstractmethod
    def config(self) -> str:
        """The spec of the memory this stage alone would make, e.g. ``window:max_tokens=4000``."""

    def read(self, brief: str, asked: Sequence[AskedQuestion]) -> None:
        """Learn what the task is so far: the brief at the start of an episode, then each time a
        question is asked (every question so far). Stages that rank by relevance use it; the
        others ignore it. Called in a pipeline as in a memory of one stage."""

    def usage(self) -> dict[str, float]:
        """LLM spend of this stage so far (``{}`` for stages without LLM)."""
        return {}


@per_scenario
@lru_cache(maxsize=1 << 14)
def text_tokens(text: str) -> int:
    """``count_tokens``, cached: stages count the same kept texts after every observation."""
    return count_tokens(text)


def span_tokens(spans: Sequence[Span]) -> int:
    """Tokens in the spans' texts."""
    return sum(text_tokens(s.text) for s in spans)


def messages(spans: Sequence[Span]) -> list[Message]:
    """The spans as user messages, in order."""
    return [_user_message(s.text) for s in spans]


@per_scenario
@lru_cache(maxsize=1 << 14)
def _user_message(text: str) -> Message:
    """One shared Message per kept text: consecutive compaction records repeat almost every
    message, and sharing them keeps a 1M-token window episode ~10x smaller and ~4x faster."""
    return Message(role="user", content=text)


class ContextMemory(Memory):
    """Keeps observed events as spans, shrunk after each observation by ``stages``."""

    name = "context"

    def __init__(self, stages: Sequence[Stage], spec: str) -> None:
        self.stages = list(stages)
        self.spec = spec
        self.brief = ""
        self.spans: list[Span] = []
        self.asked: list[AskedQuestion] = []
        self._compactions: list[CompactionRecord] = []

    def reset(self, brief: str, params: Mapping[str, Any]) -> None:
        self.brief = brief
        self.spans = []
        self.asked = []
        self._compactions = []
        for stage in self.stages:
            stage.reset()
            stage.read(brief, ())

    def note_question(self, event: Event) -> bool:
        """Note ``event`` if it is a question (it is asked, not kept); whether it was one."""
        if event.kind not in QUIET_KINDS:
            return False
        self.asked.append(AskedQuestion(step=event.step, text=event.text))
        for stage in self.stages:
            stage.read(self.brief, self.asked)
        return True

    def propose(self, event: Event) -> tuple[list[Span], list[Span]]:
        """The spans with ``event`` added, and what the stages shrink them to (the same list
        when nothing is compacted)."""
        before = [*self.spans, Span(step=event.step, text=event.text, facts=list(event.facts))]
        after = before
        for stage in self.stages:
            after = stage.shrink(after)
        return before, after

    def observe(self, event: Event) -> None:
        if self.note_question(event):
            return
        before, after = self.propose(event)
        if after is not before:
            self._record(event.step, before, after)
        self.spans = after

    def recall(self, question: Question) -> View:
        return View(messages=[Message(role="system", content=self.brief), *messages(self.spans)])

    @property
    def compactions(self) -> list[CompactionRecord]:
        return self._compactions

    @property
    def tokens_stored(self) -> int:
        return span_tokens(self.spans)

    def usage(self) -> dict[str, float]:
        total: dict[str, float] = {}
        for stage in self.stages:
            for key, value in stage.usage().items():
                total[key] = total.get(key, 0.0) + value
        return total

    def config(self) -> str:
        return self.spec

    def _record(self, step: int, before: list[Span], after: list[Span]) -> None:
        kept = {id(s) for s in after}
        dropped = [s for s in before if id(s) not in kept]
        if not dropped and len(after) == len(before):
            return
        facts = list(dict.fromkeys(f for s in dropped for f in s.facts))
        self._compactions.append(
            CompactionRecord(
                step=step,
                strategy=self.spec,
                before=messages(before),
                after=messages(after),
                dropped=dropped,
                facts=facts,
                tokens_before=span_tokens(before),
                tokens_after=span_tokens(after),
                asked=list(self.asked),
            )
        )
