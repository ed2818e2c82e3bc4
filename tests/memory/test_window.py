import pytest

from memgym.memory import make_memory
from memgym.tokens import count_tokens
from memgym.types import Event, Question
from tests.memory.conftest import accuracy, assert_records_exact


def test_window_never_exceeds_its_budget_and_keeps_the_newest(standard, track):
    for budget in (300, 2000, 4000):
        memory = make_memory(f"window:max_tokens={budget}", track)
        memory.reset("brief", {})
        observed = []
        for event in standard[0].events:
            memory.observe(event)
            if event.kind != "question":
                observed.append(event.text)
            kept = [m.content for m in memory.recall(Question.model_construct()).messages[1:]]
            assert sum(count_tokens(t) for t in kept) <= budget
            assert kept == observed[len(observed) - len(kept) :]  # a suffix of the stream
            assert memory.tokens_stored <= budget


def test_records_carry_exactly_the_dropped_facts(standard, track):
    for scenario in standard:
        transcript = assert_records_exact(
            scenario, make_memory("window:max_tokens=1500", track), track
        )
        assert transcript.compactions
        steps = [s.step for r in transcript.compactions for s in r.dropped]
        assert steps == sorted(set(steps))  # each event leaves once, oldest first
        assert all(r.tokens_after <= 1500 < r.tokens_before for r in transcript.compactions)


def test_questions_are_not_observations(track):
    memory = make_memory("window:max_tokens=100", track)
    memory.reset("b", {})
    memory.observe(Event(step=0, kind="question", text="What is it?"))
    assert memory.recall(Question.model_construct()).messages[1:] == []
    assert memory.compactions == []


def test_a_bigger_window_is_never_worse_here(standard, track):
    for scenario in standard:
        assert accuracy(scenario, "window:max_tokens=1000", track) <= accuracy(
            scenario, "window:max_tokens=8000", track
        )


def test_bad_budget_is_a_clear_error(track):
    with pytest.raises(ValueError, match="max_tokens"):
        make_memory("window:max_tokens=-1", track)
    assert make_memory("window", track).config() == "window:max_tokens=4000"
