"""The ``closed-book`` memory shows nothing, not even the brief: with the scripted reasoner it
answers no better than the cheats (an adversary that remembers nothing must score near zero)."""

from memgym.memory import make_memory
from memgym.reasoners import make_reasoner
from memgym.run.episode import evaluate
from memgym.tracks import get_track
from memgym.types import Question


def test_the_view_is_empty():
    track = get_track("entities")
    memory = make_memory("closed-book", track)
    scenario = track.generate(0, "lite")
    memory.reset(scenario.brief, scenario.params)
    for event in scenario.events[:20]:
        memory.observe(event.public())
    view = memory.recall(Question(id="q", text="What?", spec={}))
    assert view.messages == [] and view.store is None and view.text() == ""


def test_it_scores_near_zero_on_every_stream_track():
    for name in ("entities", "research", "codeqa", "dialogue"):
        track = get_track(name)
        for seed in (0, 1):
            scenario = track.generate(seed, "lite")
            result = evaluate(
                scenario, make_memory("closed-book", track), make_reasoner("scripted", track)
            )
            assert result.accuracy <= 0.05, (name, seed, result.accuracy)
