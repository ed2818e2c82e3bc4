import pytest

from memgym.memory import make_memory
from memgym.reasoners import make_reasoner
from memgym.run.episode import evaluate
from memgym.scoring import is_correct
from tests.memory.conftest import replay


def test_oracle_with_scripted_answers_every_question_right(lite, standard, track):
    for scenario in [*lite, *standard]:
        result = evaluate(scenario, make_memory("oracle", track), make_reasoner("scripted", track))
        assert all(a.correct for a in result.answers), [a for a in result.answers if not a.correct]
        assert result.accuracy == 1.0 and result.abstention in (None, 1.0)


def test_oracle_shows_exactly_the_evidence(standard, track):
    scenario = standard[0]
    memory = make_memory("oracle", track)
    memory.bind(scenario)
    memory.reset(scenario.brief, scenario.params)
    facts = scenario.fact_index()
    reasoner = make_reasoner("scripted", track)
    for question in scenario.questions:
        view = memory.recall(question.public())
        assert view.messages[0].content == scenario.brief
        claims = track.read(view.text())
        assert {(c.entity, c.attribute) for c in claims} == {
            (facts[f].entity, facts[f].attribute) for f in question.evidence
        }
        assert is_correct(question, reasoner.answer(question.public(), view))


def test_oracle_needs_binding(standard, track):
    scenario = standard[0]
    memory = make_memory("oracle", track)
    memory.reset(scenario.brief, scenario.params)
    question = next(q for q in scenario.questions if q.evidence)
    with pytest.raises(ValueError, match="bind"):
        memory.recall(question.public())


def test_oracle_never_compacts(standard, track):
    assert replay(standard[0], make_memory("oracle", track), track).compactions == []


def test_the_plugin_contract_has_no_scenario_hook():
    """``Memory.prepare`` is gone: no public hook receives a scenario; only reference memories
    (the evaluator's own) are bound, and only by ``run_episode``."""
    from memgym.memory.base import Memory
    from memgym.memory.reference import ReferenceMemory
    from memgym.memory.registry import _MEMORIES

    assert not hasattr(Memory, "prepare")
    references = sorted(  # memgym's own: a red-team plugin a test imported may register one too
        n
        for n, f in _MEMORIES.items()
        if isinstance(f, type)
        and issubclass(f, ReferenceMemory)
        and f.__module__.startswith("memgym.")
    )
    assert references == ["distractors", "oracle"]
