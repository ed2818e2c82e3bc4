"""The dialogue track's generator: determinism, length control, event layout and filler."""

from __future__ import annotations

import pytest

from memgym.tokens import count_tokens
from memgym.tracks import get_track, stream_events
from memgym.tracks.dialogue.assemble import Core, assemble
from memgym.tracks.dialogue.filler import exchange

TRACK = get_track("dialogue")


def test_same_seed_same_hash_and_different_seeds_differ() -> None:
    a, b = TRACK.generate(7, "standard"), TRACK.generate(7, "standard")
    assert a.hash == b.hash
    assert a.canonical_json() == b.canonical_json()
    assert list(stream_events(a)) == list(stream_events(b))
    assert len({TRACK.generate(s, "standard").hash for s in range(6)}) == 6


@pytest.mark.parametrize(("target", "seeds"), [(10_000, range(6)), (100_000, range(2))])
def test_stream_length_lands_within_five_percent(target: int, seeds: range) -> None:
    for seed in seeds:
        scenario = TRACK.generate(seed, "lite", target_tokens=target)
        total = sum(count_tokens(e.text) for e in stream_events(scenario))
        assert abs(total - target) <= 0.05 * target, (seed, total)


def test_stream_steps_are_dense_and_core_events_keep_their_steps() -> None:
    scenario = TRACK.generate(3, "lite")
    stream = list(stream_events(scenario))
    assert [e.step for e in stream] == list(range(scenario.filler["total_steps"]))
    by_step = {e.step: e for e in stream}
    assert all(by_step[e.step] == e for e in scenario.events)
    filler = [e for e in stream if e not in scenario.events]
    assert len(filler) == scenario.filler["exchanges"]
    assert all(e.kind == "distractor" and e.facts == [] for e in filler)


def test_filler_states_nothing_and_names_no_world_value() -> None:
    for seed in range(4):
        scenario = TRACK.generate(seed, "standard")
        words = {str(f.value) for f in scenario.facts} | {f.entity for f in scenario.facts}
        core = {id(e) for e in scenario.events}
        for event in stream_events(scenario):
            if id(event) in core:
                continue
            assert TRACK.read(event.text) == []
            assert not any(ch.isdigit() for ch in event.text)
            assert not [w for w in words if w in event.text], event.text


def test_filler_is_a_pure_function_of_seed_and_index() -> None:
    assert exchange(5, 11) == exchange(5, 11)
    assert len({exchange(5, k) for k in range(40)}) > 20
    assert [exchange(1, k) for k in range(5)] != [exchange(2, k) for k in range(5)]


def test_requirements_come_early_and_the_catalogue_at_the_end() -> None:
    scenario = TRACK.generate(2, "standard")
    total = scenario.filler["total_steps"]
    user = scenario.questions[0].spec["entity"]
    first = {}
    for fact in scenario.facts:
        if fact.entity == user:
            first.setdefault(fact.attribute, fact.step)
    assert max(first.values()) < 0.6 * total
    searches = [e for e in scenario.events if e.kind == "document" and "catalogue S" in e.text]
    assert searches and all(e.step > 0.95 * total for e in searches)
    assert all(e.step > 0.95 * total for e in scenario.events if e.kind == "question")
    kinds = {e.kind for e in scenario.events}
    assert {"document", "correction", "update", "distractor", "question"} <= kinds


def test_question_texts_never_contain_their_answer() -> None:
    for seed in range(5):
        for q in TRACK.generate(seed, "standard").questions:
            assert str(q.answer) not in q.text


def test_a_target_below_the_core_events_is_refused_with_a_clear_error() -> None:
    core = [Core(0.0, "document", "word " * 300)]
    with pytest.raises(ValueError, match="target_tokens"):
        assemble(0, {}, "brief", core, 100)
    biggest = {"catalogue_size": 40, "companions": 12, "colleagues": 12, "questions": 24}
    with pytest.raises(ValueError, match="target_tokens \\(10000\\) is too small"):
        TRACK.generate(0, "hard", target_tokens=10_000, **biggest)
    assert TRACK.generate(0, "hard", target_tokens=20_000, **biggest).filler["exchanges"] > 0
