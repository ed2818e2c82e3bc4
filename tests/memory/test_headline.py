import pytest

from memgym.memory import make_memory
from memgym.memory.context import text_tokens
from memgym.memory.headline import Headline, HeadlineStage, headline
from memgym.types import Span
from tests.memory.conftest import assert_records_exact


def test_headline_cuts_older_observations_to_their_first_line(standard, track):
    scenario = standard[0]
    memory = make_memory("headline:keep=3", track)
    transcript = assert_records_exact(scenario, memory, track)
    observed = [e for e in scenario.events if e.kind != "question"]
    kept = memory.recall(scenario.questions[-1]).messages[1:]
    assert len(kept) == len(observed)
    assert [m.content for m in kept[-3:]] == [e.text for e in observed[-3:]]
    for message, event in zip(kept[:-3], observed[:-3], strict=True):
        if message.content != event.text:
            stem = message.content.removesuffix(" [...]")
            assert event.text.strip().startswith(stem)
            assert text_tokens(stem) <= 24
    assert transcript.compactions and all(len(r.dropped) == 1 for r in transcript.compactions)


def test_headlines_are_never_cut_again_and_short_texts_stay():
    stage = HeadlineStage(0)
    long = Span(step=0, text="Report on Velmora. It states 12 values.\nline two", facts=["f"])
    short = Span(step=1, text="ok", facts=["g"])
    once = stage.shrink([long, short])
    assert isinstance(once[0], Headline) and once[0].text == "Report on Velmora. [...]"
    assert once[1] is short  # nothing to cut
    assert stage.shrink(once) is once
    assert headline(short) is short


def test_bad_keep_is_refused(track):
    with pytest.raises(ValueError, match="^headline: keep"):
        make_memory("headline:keep=-2", track)
    assert make_memory("headline", track).config() == "headline:keep=5"


def test_a_headline_with_its_marker_is_at_most_headline_tokens() -> None:
    """The words were cut to 24 tokens and ' [...]' added on top (a 60-word sentence gave 29)."""
    from memgym.memory.context import text_tokens
    from memgym.memory.headline import HEADLINE_TOKENS, headline
    from memgym.types import Span

    sentence = " ".join(f"word{i}" for i in range(60)) + ". Second sentence."
    cut = headline(Span(step=0, text=sentence))
    assert cut.text.endswith(" [...]") and cut.text != sentence
    assert text_tokens(cut.text) <= HEADLINE_TOKENS
