"""Counterfactual replay: the fast path equals full re-runs, and labels follow the evidence."""

from __future__ import annotations

import pytest

from memgym.memory import make_memory
from memgym.reasoners.scripted import ScriptedReasoner
from memgym.rmdata.replay import (
    actual_run,
    charge_losses,
    charge_losses_plain,
    label_both,
    label_episode,
    label_generic,
    merge_spans,
    pinned_spans,
)
from memgym.run.episode import run_episode
from memgym.tracks import get_track
from memgym.types import CompactionRecord, Message, Span

CASES = [
    ("entities", "window:max_tokens=1000", 1),
    ("codeqa", "summary:max_tokens=1500", 1),
    ("entities", "pipeline:stages=mask(keep=2)+window(max_tokens=1200)", 2),
]


@pytest.mark.parametrize(("track_name", "spec", "seed"), CASES)
def test_fast_path_equals_generic_rerun(track_name: str, spec: str, seed: int) -> None:
    track = get_track(track_name)
    scenario = track.generate(seed)
    fast = label_episode(scenario, make_memory(spec, track), ScriptedReasoner(track))
    records = [r for r, _ in fast][:12]
    assert records, "the case must compact"
    generic = label_generic(
        scenario, lambda: make_memory(spec, track), ScriptedReasoner(track), records
    )
    assert [label for _, label in fast][:12] == generic
    assert any(label.harmful for label in generic) or track_name == "codeqa"


def test_actual_run_matches_run_episode() -> None:
    track = get_track("entities")
    scenario = track.generate(3)
    asked, records = actual_run(
        scenario, make_memory("window:max_tokens=800", track), ScriptedReasoner(track)
    )
    transcript = run_episode(
        scenario, make_memory("window:max_tokens=800", track), ScriptedReasoner(track)
    )
    assert [a.correct for a in asked] == [a.correct for a in transcript.answers]
    assert [r.step for r in records] == [c.step for c in transcript.compactions]
    assert all(r.episode == scenario.hash for r in records)


def test_window_harm_means_lost_evidence_of_a_later_missed_question() -> None:
    """For a window (drops observations whole) a HARMFUL compaction must have dropped a fact that
    is evidence of a later question the actual run got wrong; and delta is the accuracy gain."""
    track = get_track("entities")
    for seed in range(3):
        scenario = track.generate(seed)
        asked, _ = actual_run(
            scenario, make_memory("window:max_tokens=1000", track), ScriptedReasoner(track)
        )
        labelled = label_episode(
            scenario, make_memory("window:max_tokens=1000", track), ScriptedReasoner(track)
        )
        for record, label in labelled:
            later = [a for a in asked if a.step > record.step]
            assert label.later == len(later)
            if label.harmful:
                missed = {f for a in later if not a.correct for f in a.question.evidence}
                assert missed & set(record.facts)
                assert label.delta > 0
            if not label.harmful:
                assert label.delta <= 0


def test_pinned_spans_keep_observations_and_only_lost_note_lines() -> None:
    record = CompactionRecord(
        step=5,
        strategy="summary",
        before=[Message(role="user", content=t) for t in ("a=1\nb=2", "obs", "new")],
        after=[Message(role="user", content=t) for t in ("a=1\nc=3", "new")],
        dropped=[Span(step=1, text="a=1\nb=2"), Span(step=2, text="obs", facts=["f1"])],
        facts=["f1"],
        tokens_before=3,
        tokens_after=2,
    )
    pinned = pinned_spans(record)
    assert [(p.step, p.text) for p in pinned] == [(1, "b=2"), (2, "obs")]


def test_merge_spans_orders_by_step_and_skips_present_texts() -> None:
    kept = [Span(step=3, text="c"), Span(step=7, text="g")]
    pinned = [Span(step=5, text="e"), Span(step=1, text="a"), Span(step=9, text="c")]
    assert [s.text for s in merge_spans(kept, pinned)] == ["a", "c", "e", "g"]
    assert merge_spans(kept, []) == kept


@pytest.mark.parametrize(
    ("track_name", "spec", "seed"),
    [
        ("research", "window:max_tokens=1000", 0),
        ("entities", "summary:max_tokens=1000", 1),
        ("codeqa", "mask:keep=3", 3),
    ],
)
def test_shared_charges_fix_each_loss_and_none_can_be_restored(
    track_name: str, spec: str, seed: int
) -> None:
    """For each recoverable lost answer: pinning only the charged compactions fixes it and
    restoring any one of them breaks it; the binary search equals the plain loop; a loss a
    single undo fixes is charged."""
    from memgym.reasoners.scripted import ScriptedReasoner as Scripted
    from memgym.rmdata.replay import _answer, _pinned_union, merge_spans, span_view

    track = get_track(track_name)
    scenario = track.generate(seed)
    asked, records = actual_run(scenario, make_memory(spec, track), Scripted(track))
    reasoner = Scripted(track)
    charges = charge_losses(scenario.brief, asked, records, reasoner)
    assert charges == charge_losses_plain(scenario.brief, asked, records, reasoner)
    assert [c.question for c in charges] == [i for i, a in enumerate(asked) if not a.correct]
    pins = [pinned_spans(r) for r in records]
    recovered = 0
    for charge in charges:
        a = asked[charge.question]
        if not charge.charged:
            continue
        recovered += 1
        assert all(records[i].step < a.step for i in charge.charged)

        def right(chosen: list[int], a: object = a) -> bool:
            view = span_view(scenario.brief, merge_spans(a.spans, _pinned_union(pins, chosen)))
            return _answer(reasoner, a.question, view)

        assert right(list(charge.charged))
        for i in charge.charged:
            assert not right([j for j in charge.charged if j != i])
    assert recovered > 0
    both = label_both(scenario.brief, asked, records, reasoner)
    for i, fixed in enumerate(both.fixes):
        for q in fixed:  # undoing i alone fixes q: q is recoverable, and charged to someone
            assert next(c for c in charges if c.question == q).charged
    stats = both.stats()
    assert stats["charged_shared"] == recovered >= stats["charged_single"]
