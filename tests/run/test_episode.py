import pytest

from memgym.errors import InfraError, ModelError
from memgym.memory import make_memory
from memgym.reasoners import make_reasoner
from memgym.reasoners.base import Reasoner
from memgym.run.episode import evaluate


class Flaky(Reasoner):
    """Fails every question of one axis with a chosen error."""

    name = "flaky"

    def __init__(self, inner, axis, error):
        self.inner, self.axis, self.error = inner, axis, error

    def reset(self, brief, params):
        self.inner.reset(brief, params)

    def answer(self, question, view):
        if question.axis == self.axis:
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
    model = evaluate(scenario, memory(), Flaky(scripted, "reasoning", ModelError))
    assert model.axes["reasoning"] == 0.0 and model.status == "ok"
    assert {a.status for a in model.answers if a.axis == "reasoning"} == {"model_error"}
    infra = evaluate(scenario, memory(), Flaky(scripted, "reasoning", InfraError))
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
