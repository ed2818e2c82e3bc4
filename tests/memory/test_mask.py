import pytest

from memgym.memory import make_memory
from memgym.memory.mask import Placeholder
from tests.memory.conftest import accuracy, assert_records_exact


def test_mask_keeps_the_last_k_and_placeholders_for_the_rest(standard, track):
    scenario = standard[0]
    memory = make_memory("mask:keep=3", track)
    transcript = assert_records_exact(scenario, memory, track)
    observed = [e for e in scenario.events if e.kind != "question"]
    kept = memory.recall(scenario.questions[-1]).messages[1:]
    assert len(kept) == len(observed)
    assert [m.content for m in kept[-3:]] == [e.text for e in observed[-3:]]
    assert all(
        m.content == f"[observation at step {e.step} omitted]" for m, e in zip(kept[:-3], observed)
    )
    # one record per masked observation, dropping exactly that observation
    assert [r.dropped[0].step for r in transcript.compactions] == [e.step for e in observed[:-3]]
    assert all(
        len(r.dropped) == 1 and r.tokens_after < r.tokens_before for r in transcript.compactions
    )


def test_placeholders_are_never_masked_again(track):
    from memgym.memory.mask import MaskStage
    from memgym.types import Span

    stage = MaskStage(1)
    spans = [Span(step=0, text="a", facts=["f0"]), Span(step=1, text="b", facts=["f1"])]
    once = stage.shrink(spans)
    assert isinstance(once[0], Placeholder) and once[1] is spans[1]
    assert stage.shrink(once) is once


def test_more_kept_is_never_worse_here(lite, track):
    for scenario in lite:
        assert accuracy(scenario, "mask:keep=1", track) <= accuracy(scenario, "mask:keep=20", track)


def test_bad_keep_is_a_clear_error(track):
    with pytest.raises(ValueError, match="^mask: keep"):
        make_memory("mask:keep=-2", track)
    assert make_memory("mask", track).config() == "mask:keep=5"
