"""The LLM summariser: through ``memgym serve`` it reproduces the extractive summary exactly."""

import pytest

from memgym.memory import make_memory
from memgym.memory.summarizers import HEADER, ExtractiveSummarizer, LLMSummarizer, fit
from memgym.serve import Faults, running
from memgym.tokens import count_tokens
from tests.memory.conftest import assert_records_exact, replay

SPEC = "summary:max_tokens=1500,summary_tokens=500"


def records(transcript):
    return [(r.step, r.before, r.after, r.dropped, r.facts) for r in transcript.compactions]


def test_llm_summary_through_the_server_equals_the_extractive_episode(lite, track):
    scenario = lite[1]
    extractive = replay(scenario, make_memory(SPEC, track), track)
    with running() as server:
        memory = make_memory(f"{SPEC},summarizer=llm,base_url={server.base_url}", track)
        served = assert_records_exact(scenario, memory, track)
        requests = server.stats["requests"]
    assert (
        memory.config() == f"{SPEC},summarizer=llm,model=memgym-scripted,base_url={server.base_url}"
    )
    assert records(served) == records(extractive)
    assert [(a.question_id, a.answer) for a in served.answers] == [
        (a.question_id, a.answer) for a in extractive.answers
    ]
    assert requests == len(served.compactions) > 0
    spent = memory.usage()
    assert spent["calls"] == requests and spent["prompt_tokens"] > 0 and spent["cached"] == 0
    assert any(r.after[0].content.startswith(HEADER) for r in served.compactions)


def test_cut_off_summaries_lose_their_last_line_never_a_value(lite, track):
    scenario = lite[0]
    with running(faults=Faults(truncate=1.0)) as server:
        memory = make_memory(f"{SPEC},summarizer=llm,base_url={server.base_url}", track)
        served = assert_records_exact(scenario, memory, track)
    spent = memory.usage()
    assert spent["truncated"] == spent["calls"] == len(served.compactions) > 0
    latest = {}  # (entity, attribute) -> every value the stream gave it
    for event in scenario.events:
        for claim in track.read(event.text):
            latest.setdefault((claim.entity, claim.attribute), set()).add(claim.value)
    summaries = [
        r.after[0].content for r in served.compactions if r.after[0].content.startswith(HEADER)
    ]
    assert summaries
    for text in summaries:
        assert count_tokens(text) <= 500
        assert all(c.value in latest[(c.entity, c.attribute)] for c in track.read(text))


def test_llm_request_holds_the_summary_and_the_leaving_texts(track):
    summarizer = LLMSummarizer("entities", 300)
    messages = summarizer.messages("Summary of earlier records:\nA | x=1", ["B has y of 2."])
    assert [m["role"] for m in messages] == ["system", "user", "user"]
    assert (
        "300 tokens" in messages[0]["content"]
        and "Entity | attribute=value" in messages[0]["content"]
    )
    assert "A | x=1" in messages[1]["content"] and "B has y of 2." in messages[2]["content"]


def test_extractive_fold_knows_only_its_previous_summary(track):
    # Entity lines that no longer fit are gone for good: a later fold cannot bring them back.
    fold = ExtractiveSummarizer(track.read_cached, 20).fold
    first = fold("", ["Acme | a=1; b=2; c=3; d=4", "Bolt | a=5", "Core | a=6"])
    assert "Acme" not in first and "Core | a=6" in first
    second = fold(first, ["Core | a=7"])
    assert "Acme" not in second and "Core | a=7 (was 6)" in second and "Bolt | a=5" in second
    assert second.startswith(HEADER) and count_tokens(second) <= 20


def test_fit_keeps_the_newest_lines_within_the_cap():
    lines = [f"E{i} | a={i}" for i in range(50)]
    text = fit("\n".join([HEADER, *lines]), 60)
    assert text.startswith(HEADER + "\n") and count_tokens(text) <= 60
    kept = text.splitlines()[1:]
    assert kept == lines[-len(kept) :] and 0 < len(kept) < 50
    assert fit(HEADER, 60) == "" and fit("\n".join(lines[:2]), 60) == "\n".join(
        [HEADER, *lines[:2]]
    )


def test_unknown_summarizer_is_a_clear_error(track):
    with pytest.raises(ValueError, match="summarizer must be extractive or llm"):
        make_memory("summary:summarizer=abstractive", track)
