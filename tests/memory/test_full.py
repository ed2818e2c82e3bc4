from memgym.memory import make_memory
from tests.memory.conftest import accuracy, assert_records_exact, replay


def test_full_keeps_everything_and_never_compacts(standard, track):
    scenario = standard[0]
    memory = make_memory("full", track)
    transcript = replay(scenario, memory, track)
    assert transcript.compactions == []
    kept = [m.content for m in memory.recall(scenario.questions[-1]).messages[1:]]
    assert kept == [e.text for e in scenario.events if e.kind != "question"]
    assert memory.config() == "full"


def test_full_with_a_context_limit_cuts_the_oldest_and_records_it(standard, track):
    memory = make_memory("full:max_tokens=3000", track)
    assert memory.config() == "full:max_tokens=3000"
    transcript = assert_records_exact(standard[0], memory, track)
    assert transcript.compactions and memory.tokens_stored <= 3000


def test_none_oracle_full_ordering(lite, track):
    for scenario in lite:
        none = accuracy(scenario, "none", track)
        oracle = accuracy(scenario, "oracle", track)
        full = accuracy(scenario, "full", track)
        assert none <= full <= oracle == 1.0
        assert none <= accuracy(scenario, "full:max_tokens=1000", track) <= full
