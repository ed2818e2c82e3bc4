import pytest

from memgym.memory import make_memory
from memgym.reasoners import make_reasoner
from memgym.run.episode import evaluate, run_episode
from memgym.tokens import count_tokens
from memgym.tracks.registry import stream_events


@pytest.fixture(scope="session")
def standard(track):
    """Two standard scenarios (narrative and kv) for the context-memory tests."""
    return [track.generate(0, "standard"), track.generate(1, "standard", doc_style="kv")]


def replay(scenario, memory, track):
    """Stream ``scenario`` through ``memory``; return the transcript of a scripted run."""
    return run_episode(scenario, memory, make_reasoner("scripted", track))


def accuracy(scenario, spec, track):
    return evaluate(scenario, make_memory(spec, track), make_reasoner("scripted", track)).accuracy


def assert_records_exact(scenario, memory, track):
    """Each record's facts are exactly the union of Event.facts of the events it dropped (spans
    a memory wrote itself, placeholders and summaries, carry none), and its token counts add up."""
    transcript = replay(scenario, memory, track)
    events = {e.step: e for e in stream_events(scenario) if e.kind != "question"}  # with filler
    for record in transcript.compactions:
        assert record.episode == scenario.hash
        dropped_events = [events[s.step] for s in record.dropped if s.text == events[s.step].text]
        expected = list(dict.fromkeys(f for e in dropped_events for f in e.facts))
        assert record.facts == expected
        assert record.tokens_before == sum(count_tokens(m.content) for m in record.before)
        assert record.tokens_after == sum(count_tokens(m.content) for m in record.after)
        assert record.dropped
    return transcript
