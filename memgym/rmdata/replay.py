"""Counterfactual replay: was a compaction HARMFUL (a later question it made us get wrong) or SAFE?

Undoing a compaction naively only delays the loss (a window drops the same span one step later),
so the counterfactual pins the compaction's dropped spans instead: the rest of the episode is
replayed with them kept in the view, outside the strategy's budget, so every later decision of the
strategy is unchanged. The counterfactual view at a later question is then the actual view plus
the pinned spans it lacks, each placed before the first kept span of a later step. What is pinned
is what the compaction took out (``pinned_spans``): a dropped observation whole, and of a text the
memory wrote itself (an old summary replaced by a new one) only the lines the kept view lost.

A compaction is HARMFUL when some question after its step is answered wrong in the actual run and
right in the counterfactual; ``delta`` is accuracy(counterfactual) - accuracy(actual) over those
questions. Two paths give the same labels: ``label_fast`` re-asks only the later questions on the
views recorded once (exact with a deterministic reasoner); ``label_generic`` re-runs the episode
with ``PinnedMemory`` around a fresh memory, which works for any memory that records compactions.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from memgym.memory.base import Memory
from memgym.memory.context import in_step_order
from memgym.reasoners.base import Reasoner
from memgym.scoring import is_correct
from memgym.tracks.registry import stream_events
from memgym.types import (
    CompactionRecord,
    Event,
    GoldQuestion,
    Message,
    Question,
    Scenario,
    Span,
    View,
)


@dataclass(frozen=True)
class Label:
    """The replay verdict on one compaction (``later`` = questions compared; 0 means none)."""

    harmful: bool
    delta: float
    later: int


def pinned_spans(record: CompactionRecord) -> list[Span]:
    """What ``record`` took out of the context: each dropped span that states fact ids whole, and
    of each other dropped span (a summary or placeholder the memory wrote, a filler text) only the
    lines the kept view lacks. A rolling summary replaced by a new one that keeps its lines thus
    loses nothing here; the compaction that later cuts a line from it is the one charged."""
    kept = {line for m in record.after for line in m.content.splitlines()}
    out = []
    for span in record.dropped:
        if span.facts:
            out.append(span)
            continue
        lines = [line for line in span.text.splitlines() if line not in kept]
        if any(line.strip() for line in lines):
            out.append(Span(step=span.step, text="\n".join(lines)))
    return out


def merge_spans(spans: Sequence[Span], pinned: Sequence[Span]) -> list[Span]:
    """``spans`` plus each pinned span whose text they lack, inserted before the first span of a
    later step (so the stream order of what is read is kept)."""
    present = {s.text for s in spans}
    extra = [p for p in pinned if p.text not in present]
    return in_step_order(spans, extra)


def merge_messages(messages: Sequence[Message], pinned: Sequence[Span]) -> list[Message]:
    """For memories without spans: the pinned texts a view lacks, after its system messages."""
    present = {m.content for m in messages}
    extra = [Message(role="user", content=p.text) for p in pinned if p.text not in present]
    head = 0
    while head < len(messages) and messages[head].role == "system":
        head += 1
    return [*messages[:head], *extra, *messages[head:]]


def span_view(brief: str, spans: Sequence[Span]) -> View:
    """The view a context memory shows for ``spans``."""
    return View(
        messages=[
            Message(role="system", content=brief),
            *(Message(role="user", content=s.text) for s in spans),
        ]
    )


class PinnedMemory(Memory):
    """``inner``, with the spans of ``record`` pinned into every view after ``record.step``.

    The inner memory observes exactly what it would have, so its own decisions are unchanged; the
    pinned spans are outside its budget."""

    name = "pinned"

    def __init__(self, inner: Memory, record: CompactionRecord) -> None:
        self.inner = inner
        self.record = record
        self.pinned = pinned_spans(record)
        self.brief = ""
        self.step = -1

    def reset(self, brief: str, params: Mapping[str, Any]) -> None:
        self.brief = brief
        self.step = -1
        self.inner.reset(brief, params)

    def observe(self, event: Event) -> None:
        self.step = event.step
        self.inner.observe(event)

    def recall(self, question: Question) -> View:
        if self.step <= self.record.step:
            return self.inner.recall(question)
        spans = getattr(self.inner, "spans", None)
        if spans is not None:
            return span_view(self.brief, merge_spans(spans, self.pinned))
        view = self.inner.recall(question)
        return View(messages=merge_messages(view.messages, self.pinned), store=view.store)


@dataclass
class Asked:
    """One question of the actual run: where it was asked, what the memory held, if it was right."""

    step: int
    question: GoldQuestion
    spans: list[Span]
    correct: bool


class _Recorder(Memory):
    """A context memory's spans snapshotted at every question (the actual views)."""

    name = "recorder"

    def __init__(self, inner: Memory) -> None:
        self.inner = inner
        self.step = -1
        self.snapshots: list[tuple[int, list[Span]]] = []

    def reset(self, brief: str, params: Mapping[str, Any]) -> None:
        self.snapshots = []
        self.inner.reset(brief, params)

    def observe(self, event: Event) -> None:
        self.step = event.step
        self.inner.observe(event)

    def recall(self, question: Question) -> View:
        self.snapshots.append((self.step, list(self.inner.spans)))  # type: ignore[attr-defined]
        return self.inner.recall(question)

    @property
    def compactions(self) -> list[CompactionRecord]:
        return self.inner.compactions


def _answer(reasoner: Reasoner, question: GoldQuestion, view: View) -> bool:
    """Whether ``reasoner``, asked the public question, answers right (a reasoner error counts
    as wrong)."""
    try:
        return is_correct(question, reasoner.answer(question.public(), view))
    except Exception:  # noqa: BLE001  (a failing counterfactual answer is a wrong one)
        return False


def actual_run(
    scenario: Scenario, memory: Memory, reasoner: Reasoner
) -> tuple[list[Asked], list[CompactionRecord]]:
    """Run the episode once, recording each question's kept spans and correctness, and the
    compactions. ``memory`` must keep its context as ``spans`` (a context memory)."""
    if not hasattr(memory, "spans"):
        raise ValueError(f"the fast replay needs a context memory, got {memory.config()!r}")
    recorder = _Recorder(memory)
    recorder.reset(scenario.brief, scenario.params)
    reasoner.reset(scenario.brief, scenario.params)
    asked: list[Asked] = []
    for event in stream_events(scenario):
        recorder.observe(event.reference())  # the evaluator labels: spans keep fact ids
        if event.question is None:
            continue
        view = recorder.recall(event.question.public())
        step, spans = recorder.snapshots[-1]
        asked.append(Asked(step, event.question, spans, _answer(reasoner, event.question, view)))
    hash_ = scenario.hash
    records = [c.model_copy(update={"episode": hash_}) for c in memory.compactions]
    return asked, records


def single_undo(
    brief: str, asked: Sequence[Asked], record: CompactionRecord, reasoner: Reasoner
) -> tuple[Label, list[int]]:
    """The single-undo label of ``record`` and the indices (into ``asked``) of the lost answers
    that undoing it alone fixes."""
    later = [i for i, a in enumerate(asked) if a.step > record.step]
    if not later:
        return Label(False, 0.0, 0), []
    actual = sum(asked[i].correct for i in later)
    pinned = pinned_spans(record)
    counter = 0
    fixed = []
    for i in later:
        a = asked[i]
        merged = merge_spans(a.spans, pinned)
        right = (
            a.correct
            if len(merged) == len(a.spans)
            else _answer(reasoner, a.question, span_view(brief, merged))
        )
        counter += right
        if right and not a.correct:
            fixed.append(i)
    return Label(bool(fixed), (counter - actual) / len(later), len(later)), fixed


def label_fast(
    brief: str, asked: Sequence[Asked], record: CompactionRecord, reasoner: Reasoner
) -> Label:
    """The single-undo replay label of ``record`` from the recorded actual views
    (deterministic reasoner)."""
    return single_undo(brief, asked, record, reasoner)[0]


@dataclass(frozen=True)
class Charge:
    """The shared-harm verdict on one lost answer: the compactions it is charged to."""

    question: int
    """Index into the episode's ``asked``."""
    charged: tuple[int, ...]
    """Indices into the episode's records (empty: undoing every compaction does not fix it)."""


def _pinned_union(pins: Sequence[Sequence[Span]], chosen: Sequence[int]) -> list[Span]:
    """The pinned spans of the chosen compactions, each text once."""
    seen: set[str] = set()
    out = []
    for i in chosen:
        for span in pins[i]:
            if span.text not in seen:
                seen.add(span.text)
                out.append(span)
    return out


def charge_losses(
    brief: str,
    asked: Sequence[Asked],
    records: Sequence[CompactionRecord],
    reasoner: Reasoner,
) -> list[Charge]:
    """The shared-harm attribution of every lost answer of the actual run.

    A lost answer (wrong in the actual run) is *recoverable* when undoing every compaction before
    it (all their pinned spans at once) makes it right. Its charge is then found by restoring
    those compactions one at a time, oldest first, keeping each restored while the answer stays
    right; the ones that cannot be restored are charged. Harm a chain loses hop by hop in several
    compactions is thus charged to each of them, where the single-undo label charges none; harm
    undone by any one of several compactions (a fact folded into a summary, then the summary line
    evicted) goes to the latest that lost it. The oldest-first pass is run as a binary search
    over how far it gets (O(log n) replays per charged compaction), exact whenever adding pinned
    spans never turns a right answer wrong; ``charge_losses_plain`` is the one-at-a-time loop
    (a test checks they agree)."""
    return _charges(brief, asked, records, reasoner, bisect=True)


def charge_losses_plain(
    brief: str, asked: Sequence[Asked], records: Sequence[CompactionRecord], reasoner: Reasoner
) -> list[Charge]:
    """``charge_losses`` by the plain one-at-a-time restore loop (for tests)."""
    return _charges(brief, asked, records, reasoner, bisect=False)


def _charges(
    brief: str,
    asked: Sequence[Asked],
    records: Sequence[CompactionRecord],
    reasoner: Reasoner,
    bisect: bool,
) -> list[Charge]:
    pins = [pinned_spans(r) for r in records]
    out = []
    for qi, a in enumerate(asked):
        if a.correct:
            continue
        present = {s.text for s in a.spans}
        useful = [
            i
            for i, r in enumerate(records)
            if r.step < a.step and any(p.text not in present for p in pins[i])
        ]

        def right(chosen: Sequence[int], a: Asked = a) -> bool:
            view = span_view(brief, merge_spans(a.spans, _pinned_union(pins, chosen)))
            return _answer(reasoner, a.question, view)

        if not useful or not right(useful):
            out.append(Charge(qi, ()))
            continue
        out.append(Charge(qi, tuple(restore_oldest_first(useful, right, bisect))))
    return out


def restore_oldest_first(
    useful: Sequence[int], right: Callable[[Sequence[int]], bool], bisect: bool = True
) -> list[int]:
    """The compactions charged with a lost answer that undoing all of ``useful`` fixes
    (``right(useful)`` holds): restore them one at a time, oldest first, keeping each restored
    while ``right`` of the ones still undone holds; those that cannot be restored are charged.
    With ``bisect`` the pass is a binary search over how far it gets (the same result whenever
    undoing more never turns a right answer wrong)."""
    charged: list[int] = []
    start = 0
    while start < len(useful):
        if bisect:  # the largest j with right(charged + useful[j:]), given right at start
            lo, hi = start, len(useful)
            while lo < hi:
                mid = (lo + hi + 1) // 2
                if right([*charged, *useful[mid:]]):
                    lo = mid
                else:
                    hi = mid - 1
            j = lo
        else:
            j = start
            while j < len(useful) and right([*charged, *useful[j + 1 :]]):
                j += 1
        if j == len(useful):
            break
        charged.append(useful[j])
        start = j + 1
    return charged


def shared_labels(
    brief: str, asked: Sequence[Asked], records: Sequence[CompactionRecord], reasoner: Reasoner
) -> list[bool]:
    """The shared-harm label of each record: charged with some lost answer."""
    out = [False] * len(records)
    for charge in charge_losses(brief, asked, records, reasoner):
        for i in charge.charged:
            out[i] = True
    return out


@dataclass(frozen=True)
class EpisodeLabels:
    """Both labels of every compaction of an episode, and the attribution of its lost answers."""

    records: list[CompactionRecord]
    single: list[Label]
    """Single-undo labels (undoing the compaction alone fixes a later answer)."""
    shared: list[bool]
    """Shared-harm labels (charged with some lost answer by ``charge_losses``)."""
    charges: list[Charge]
    fixes: list[list[int]]
    """Per record, the lost answers its single undo fixes."""

    def stats(self) -> dict[str, int]:
        """Lost answers, recoverable ones, and how many each label charges (single: to at least
        one compaction; several: to more than one)."""
        recoverable = [c for c in self.charges if c.charged]
        by_single: dict[int, int] = {}
        for fixed in self.fixes:
            for q in fixed:
                by_single[q] = by_single.get(q, 0) + 1
        return {
            "lost": len(self.charges),
            "recoverable": len(recoverable),
            "charged_single": sum(1 for c in recoverable if by_single.get(c.question)),
            "charged_single_several": sum(
                1 for c in recoverable if by_single.get(c.question, 0) > 1
            ),
            "charged_shared": len(recoverable),
            "charged_shared_several": sum(1 for c in recoverable if len(c.charged) > 1),
        }


def label_both(
    brief: str, asked: Sequence[Asked], records: Sequence[CompactionRecord], reasoner: Reasoner
) -> EpisodeLabels:
    """Single-undo and shared-harm labels of an episode's compactions from its actual views."""
    single, fixes = [], []
    for r in records:
        label, fixed = single_undo(brief, asked, r, reasoner)
        single.append(label)
        fixes.append(fixed)
    charges = charge_losses(brief, asked, records, reasoner)
    shared = [False] * len(records)
    for c in charges:
        for i in c.charged:
            shared[i] = True
    return EpisodeLabels(list(records), single, shared, charges, fixes)


def label_episode(
    scenario: Scenario, memory: Memory, reasoner: Reasoner
) -> list[tuple[CompactionRecord, Label]]:
    """Every compaction of the episode with its single-undo label, by the fast path."""
    asked, records = actual_run(scenario, memory, reasoner)
    return [(r, label_fast(scenario.brief, asked, r, reasoner)) for r in records]


def label_episode_both(scenario: Scenario, memory: Memory, reasoner: Reasoner) -> EpisodeLabels:
    """Every compaction of the episode with both labels, by the fast path."""
    asked, records = actual_run(scenario, memory, reasoner)
    return label_both(scenario.brief, asked, records, reasoner)


def label_generic(
    scenario: Scenario,
    make: Callable[[], Memory],
    reasoner: Reasoner,
    records: Sequence[CompactionRecord],
) -> list[Label]:
    """Labels by full re-runs: one episode per compaction with its spans pinned into a fresh
    memory from ``make``, compared with one actual run. Works for any memory."""
    from memgym.run.episode import run_episode

    steps = [e.step for e in stream_events(scenario) if e.question is not None]
    actual = run_episode(scenario, make(), reasoner).answers
    labels = []
    for record in records:
        pinned = run_episode(scenario, PinnedMemory(make(), record), reasoner).answers
        pairs = [(a, p) for s, a, p in zip(steps, actual, pinned, strict=True) if s > record.step]
        if not pairs:
            labels.append(Label(False, 0.0, 0))
            continue
        harmful = any(p.correct and not a.correct for a, p in pairs)
        delta = sum(p.correct - a.correct for a, p in pairs) / len(pairs)
        labels.append(Label(harmful, delta, len(pairs)))
    return labels
