from memgym.memory import make_memory
from memgym.tokens import count_tokens
from memgym.tracks import stream_events
from tests.memory.conftest import accuracy, replay


def test_distractors_keeps_exactly_the_distractor_events_in_order(lite, track):
    for scenario in lite:
        memory = make_memory("distractors", track)
        transcript = replay(scenario, memory, track)
        expected = [e.text for e in stream_events(scenario) if e.kind == "distractor"]
        assert expected, "lite scenarios have distractors"
        view = memory.recall(scenario.questions[-1])
        assert [m.content for m in view.messages] == [scenario.brief, *expected]
        assert memory.tokens_stored == sum(count_tokens(t) for t in expected)
        assert transcript.compactions == []


def test_distractors_view_grows_only_with_distractors(track):
    scenario = track.generate(5, "lite", question_placement="interleaved")
    memory = make_memory("distractors", track)
    memory.reset(scenario.brief, scenario.params)
    seen = 0
    for event in stream_events(scenario):
        memory.observe(event)
        seen += event.kind == "distractor"
        if event.question is not None:
            assert len(memory.recall(event.question).messages) == 1 + seen


def test_distractors_only_scores_at_most_the_gate(lite, track):
    for scenario in lite:
        assert accuracy(scenario, "distractors", track) <= 0.10


def test_reset_forgets(track):
    scenario = track.generate(1, "lite")
    memory = make_memory("distractors", track)
    replay(scenario, memory, track)
    memory.reset("new brief", scenario.params)
    assert [m.content for m in memory.recall(scenario.questions[0]).messages] == ["new brief"]
    assert memory.tokens_stored == 0
