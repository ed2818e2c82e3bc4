import pytest

from memgym.memory import make_memory
from memgym.tokens import count_tokens
from tests.memory.conftest import assert_records_exact, replay


def test_spec_round_trips(track):
    spec = "pipeline:stages=mask(keep=3)+window(max_tokens=2000)"
    memory = make_memory(spec, track)
    assert memory.config() == spec
    assert make_memory(memory.config(), track).config() == spec
    summary = make_memory("pipeline:stages=summary(max_tokens=3000;summary_tokens=500)", track)
    assert summary.config() == "pipeline:stages=summary(max_tokens=3000;summary_tokens=500)"


def test_a_single_stage_pipeline_equals_the_memory(standard, track):
    scenario = standard[0]
    one = replay(scenario, make_memory("pipeline:stages=window(max_tokens=2000)", track), track)
    plain = replay(scenario, make_memory("window:max_tokens=2000", track), track)
    assert one.answers == plain.answers
    assert [r.facts for r in one.compactions] == [r.facts for r in plain.compactions]


def test_mask_then_window_obeys_both(standard, track):
    scenario = standard[0]
    memory = make_memory("pipeline:stages=mask(keep=2)+window(max_tokens=500)", track)
    assert_records_exact(scenario, memory, track)
    kept = [m.content for m in memory.recall(scenario.questions[-1]).messages[1:]]
    assert sum(count_tokens(t) for t in kept) <= 500
    assert sum(not t.startswith("[observation") for t in kept) <= 2


def test_only_context_memories_compose(track):
    with pytest.raises(ValueError, match="not a context memory"):
        make_memory("pipeline:stages=window+rag-bm25", track)
    with pytest.raises(ValueError, match="give stages"):
        make_memory("pipeline", track)
    with pytest.raises(ValueError, match="bad stage"):
        make_memory("pipeline:stages=window(max_tokens=3", track)


def test_mask_leaves_a_summary_alone():
    from memgym.memory.mask import MaskStage, Placeholder
    from memgym.memory.summary import Summary
    from memgym.types import Span

    summary = Summary(step=0, text="Summary of earlier records:\nA | x=1")
    spans = [summary, *(Span(step=i, text=f"obs {i}", facts=[f"f{i}"]) for i in (1, 2, 3))]
    out = MaskStage(1).shrink(spans)
    assert out[0] is summary and out[3] is spans[3]
    assert all(isinstance(s, Placeholder) for s in out[1:3])
