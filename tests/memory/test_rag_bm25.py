import pytest

from memgym.memory import make_memory
from tests.memory.conftest import accuracy, replay


def test_rag_shows_top_k_chunks_in_stream_order(standard, track):
    scenario = standard[0]
    memory = make_memory("rag-bm25:k=3", track)
    memory.reset(scenario.brief, scenario.params)
    order = {e.text: i for i, e in enumerate(scenario.events)}
    for event in scenario.events:
        memory.observe(event)
        if event.question is None:
            continue
        chunks = [m.content for m in memory.recall(event.question).messages[1:]]
        assert 0 < len(chunks) <= 3
        assert [order[c] for c in chunks] == sorted(order[c] for c in chunks)
        assert all(order[c] < order[event.text] for c in chunks)  # never the question itself


def test_rag_finds_the_entity_of_a_retrieval_question(standard, track):
    scenario = standard[0]
    memory = make_memory("rag-bm25", track)
    memory.reset(scenario.brief, scenario.params)
    for event in scenario.events:
        memory.observe(event)
    question = next(q for q in scenario.questions if q.kind == "retrieval")
    assert question.spec["entity"] in memory.recall(question).text()


def test_rag_never_compacts_and_beats_none(standard, track):
    for scenario in standard:
        assert replay(scenario, make_memory("rag-bm25", track), track).compactions == []
        assert accuracy(scenario, "none", track) < accuracy(scenario, "rag-bm25", track)


def test_bad_k_is_a_clear_error(track):
    with pytest.raises(ValueError, match="k must"):
        make_memory("rag-bm25:k=0", track)
