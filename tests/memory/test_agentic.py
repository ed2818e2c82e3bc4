"""The ``agentic`` memory: a budgeted store written by a scripted write policy."""

import pytest

from memgym.memory import make_memory
from memgym.tokens import count_tokens
from memgym.types import Event, Question
from tests.memory.conftest import accuracy


def observe_all(memory, scenario):
    memory.reset(scenario.brief, scenario.params)
    for event in scenario.events:
        memory.observe(event)
    return memory


def test_the_store_respects_the_tracks_write_budget(standard, track):
    for scenario in standard:
        memory = observe_all(make_memory("agentic:policy=strategic", track), scenario)
        params = scenario.params
        entries = memory.store.entries()
        assert 0 < memory.writes_used <= params["write_budget"]
        assert all(count_tokens(e.text) <= params["max_write_tokens"] for e in entries)
        assert memory.tokens_stored == sum(e.tokens for e in entries)


def test_the_perfect_policy_waives_the_budget_and_scores_everything(standard, track):
    for scenario in standard:
        assert accuracy(scenario, "agentic:policy=perfect", track) == 1.0
        assert accuracy(scenario, "agentic:policy=naive", track) < 1.0


def test_the_view_is_the_brief_and_a_store_to_search(standard, track):
    scenario = standard[0]
    memory = observe_all(make_memory("agentic:policy=strategic", track), scenario)
    view = memory.recall(scenario.questions[0])
    assert [m.content for m in view.messages] == [scenario.brief]  # reading it all is not free
    entry = memory.store.entries()[0]
    first_word = entry.text.split()[0]
    assert memory.store.search(first_word).hits


def test_questions_are_never_shown_to_the_policy(standard, track):
    scenario = standard[0]
    document = next(e for e in scenario.events if e.kind == "document")
    memory = make_memory("agentic:policy=strategic", track)
    memory.reset(scenario.brief, scenario.params)
    memory.observe(Event(step=0, kind="question", text=document.text))
    assert memory.writes_used == 0
    memory.observe(document)
    assert memory.writes_used == 1


def test_reset_starts_an_empty_store_and_runs_are_deterministic(standard, track):
    scenario = standard[1]
    memory = make_memory("agentic:policy=random", track)
    first = [e.text for e in observe_all(memory, scenario).store.entries()]
    second = [e.text for e in observe_all(memory, scenario).store.entries()]
    fresh = [
        e.text
        for e in observe_all(make_memory("agentic:policy=random", track), scenario).store.entries()
    ]
    assert first == second == fresh
    memory.reset(scenario.brief, scenario.params)
    assert memory.writes_used == 0 and memory.store.entries() == []


def test_config_recreates_the_memory_and_bad_policies_are_clear(track):
    memory = make_memory("agentic:policy=priority", track)
    assert memory.config() == "agentic:policy=priority"
    assert make_memory(memory.config(), track).config() == memory.config()
    with pytest.raises(ValueError, match="unknown"):
        make_memory("agentic:policy=clairvoyant", track)
    assert make_memory("agentic", track).recall(Question.model_construct()).store is None
