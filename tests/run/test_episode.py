import pytest

from memgym.errors import InfraError, ModelError
from memgym.memory import make_memory
from memgym.reasoners import make_reasoner
from memgym.reasoners.base import Reasoner
from memgym.run.episode import evaluate


class Flaky(Reasoner):
    """Fails every question of one axis with a chosen error (it is handed the ids: a reasoner
    sees the public question, which names no axis)."""

    name = "flaky"

    def __init__(self, inner, ids, error):
        self.inner, self.ids, self.error = inner, ids, error

    def reset(self, brief, params):
        self.inner.reset(brief, params)

    def answer(self, question, view):
        if question.id in self.ids:
            raise self.error("boom")
        return self.inner.answer(question, view)


def test_perfect_scores_one_on_every_accuracy_axis(track, lite):
    for scenario in lite:
        result = evaluate(
            scenario, make_memory("agentic:policy=perfect", track), make_reasoner("scripted", track)
        )
        assert (
            result.axes["breadth"] == result.axes["maintenance"] == result.axes["reasoning"] == 1.0
        )
        assert result.composite == pytest.approx(1.0)
        assert result.scenario_hash == scenario.hash
        assert len(result.answers) == len(scenario.questions)


def test_model_errors_are_wrong_and_infra_errors_excluded(track):
    scenario = track.generate(5, "standard")
    memory = lambda: make_memory("agentic:policy=perfect", track)
    scripted = make_reasoner("scripted", track)
    reasoning = {q.id for q in scenario.questions if q.axis == "reasoning"}
    model = evaluate(scenario, memory(), Flaky(scripted, reasoning, ModelError))
    assert model.axes["reasoning"] == 0.0 and model.status == "ok"
    assert {a.status for a in model.answers if a.axis == "reasoning"} == {"model_error"}
    infra = evaluate(scenario, memory(), Flaky(scripted, reasoning, InfraError))
    assert infra.status == "infra_error"
    assert (
        "reasoning" not in infra.axes
        or infra.axes["reasoning"] is None
        or infra.questions < model.questions
    )
    assert infra.axes["breadth"] == 1.0


def test_scores_are_deterministic(track):
    scenario = track.generate(7, "lite")
    runs = [
        evaluate(
            scenario, make_memory("agentic:policy=random", track), make_reasoner("scripted", track)
        ).model_dump_json()
        for _ in range(2)
    ]
    assert runs[0] == runs[1]
