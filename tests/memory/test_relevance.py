import pytest

from memgym.memory import make_memory
from memgym.memory.context import span_tokens
from memgym.memory.relevance import RelevanceStage, words
from memgym.types import Span
from tests.memory.conftest import assert_records_exact


def test_relevance_keeps_the_budget_and_records_exactly(standard, track):
    scenario = standard[0]
    memory = make_memory("relevance:max_tokens=1500", track)
    transcript = assert_records_exact(scenario, memory, track)
    assert transcript.compactions
    assert all(r.tokens_after <= 1500 for r in transcript.compactions)
    assert span_tokens(memory.spans) <= 1500


def test_the_least_relevant_go_first_and_the_newest_stays():
    stage = RelevanceStage(max_tokens=6)
    stage.query = words("the harbour ledger of Velmora")
    spans = [
        Span(step=0, text="harbour ledger Velmora"),
        Span(step=1, text="unrelated filler"),
        Span(step=2, text="other noise here"),
        Span(step=3, text="newest text arrives"),
    ]
    kept = stage.shrink(spans)
    assert [s.step for s in kept] == [0, 3]  # the two that share nothing with the query left
    assert stage.shrink(kept) is kept


def test_first_relevant_drops_the_most_relevant_first():
    stage = RelevanceStage(max_tokens=6, first="relevant")
    stage.query = words("the harbour ledger of Velmora")
    spans = [
        Span(step=0, text="harbour ledger Velmora"),
        Span(step=1, text="unrelated filler"),
        Span(step=2, text="other noise here"),
        Span(step=3, text="newest text arrives"),
    ]
    kept = stage.shrink(spans)
    assert [s.step for s in kept] == [2, 3]  # the span naming the query went first, then the oldest
    assert stage.config() == "relevance:max_tokens=6,first=relevant"
    assert RelevanceStage(max_tokens=6).config() == "relevance:max_tokens=6"


def test_first_relevant_records_exactly_and_drops_more_of_the_query(standard, track):
    """Over one scenario, what the inverted order drops shares more words with the query than what
    the default drops (recomputed from the records)."""
    from memgym.memory.relevance import _query

    scenario = standard[0]

    def dropped_overlap(spec: str) -> float:
        memory = make_memory(spec, track)
        transcript = assert_records_exact(scenario, memory, track)
        shares = [
            len(words(s.text) & _query(scenario.brief, r.asked))
            for r in transcript.compactions
            for s in r.dropped
        ]
        assert shares
        return sum(shares) / len(shares)

    assert dropped_overlap("relevance:max_tokens=1200,first=relevant") > dropped_overlap(
        "relevance:max_tokens=1200"
    )


def test_questions_asked_steer_what_stays(standard, track):
    """Each compaction's kept view scores at least as relevant to the asked questions as what it
    dropped (the rule, recomputed from the record)."""
    from memgym.memory.relevance import _query

    scenario = standard[0]
    memory = make_memory("relevance:max_tokens=1200", track)
    transcript = assert_records_exact(scenario, memory, track)
    checked = 0
    for record in transcript.compactions:
        query = _query(scenario.brief, record.asked)
        newest = record.before[-1].content
        kept = [m.content for m in record.after if m.content != newest]
        if not kept:
            continue
        worst_kept = min(len(words(t) & query) for t in kept)
        best_dropped = max(len(words(s.text) & query) for s in record.dropped)
        assert best_dropped <= worst_kept
        checked += 1
    assert checked


def test_bad_budget_is_refused(track):
    with pytest.raises(ValueError, match="max_tokens"):
        make_memory("relevance:max_tokens=-1", track)
    with pytest.raises(ValueError, match="first must be one of least, relevant"):
        make_memory("relevance:max_tokens=900,first=most", track)


def test_relevance_as_a_pipeline_stage_reads_the_brief_and_the_questions() -> None:
    """In a pipeline the stage was never told the brief or the questions (its query stayed
    empty, every span tied, and it forgot oldest first, as a window does). It now keeps exactly
    what ``relevance`` alone keeps, view for view."""
    import memgym
    from memgym.tracks import stream_events

    track = memgym.get_track("entities")
    scenario = track.generate(0, "lite")
    alone = memgym.make_memory("relevance:max_tokens=1500", track)
    staged = memgym.make_memory("pipeline:stages=relevance(max_tokens=1500)", track)
    window = memgym.make_memory("window:max_tokens=1500", track)
    for memory in (alone, staged, window):
        memory.reset(scenario.brief, scenario.params)
    differs = False
    for event in stream_events(scenario):
        for memory in (alone, staged, window):
            memory.observe(event)
        assert [s.text for s in staged.spans] == [s.text for s in alone.spans]
        differs |= [s.text for s in alone.spans] != [s.text for s in window.spans]
    assert differs  # relevance is not the window here, so the equality above says something
