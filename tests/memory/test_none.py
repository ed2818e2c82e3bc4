from memgym.memory import make_memory
from tests.memory.conftest import accuracy, replay


def test_none_shows_only_the_brief_and_scores_nothing(lite, track):
    for scenario in lite:
        memory = make_memory("none", track)
        transcript = replay(scenario, memory, track)
        assert transcript.compactions == []
        view = memory.recall(scenario.questions[0])
        assert [m.content for m in view.messages] == [scenario.brief]
        assert accuracy(scenario, "none", track) == 0.0
