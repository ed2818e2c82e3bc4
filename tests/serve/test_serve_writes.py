"""Whole agentic episodes over HTTP: ``memgym serve`` drives the writes (a mirror of the scripted
write policy) and the answers, and the client's real store and scores equal the in-process run."""

import json

import openai
import pytest

from memgym.errors import ModelError
from memgym.llm.tools import Toolset
from memgym.memory import make_memory
from memgym.memory.agentic_llm import EPISODE_HEADER, POLICY_HEADER, WRITER_HEADER, event_message
from memgym.memory.tools import EDIT, SEARCH, SUBMIT, WRITE
from memgym.reasoners import make_reasoner
from memgym.run.episode import evaluate
from memgym.serve import Faults, running
from memgym.serve.app import MODEL
from memgym.serve.faults import wrong_arguments
from memgym.serve.writes import Mirrors


@pytest.fixture(scope="module")
def episodes(track):
    """(tier, policy) -> (scenario, in-process result, in-process store entries, refusals)."""
    found = {}
    for tier, policy in (("standard", "perfect"), ("lite", "strategic")):
        scenario = track.generate(0, tier)
        memory = make_memory(f"agentic:policy={policy}", track)
        result = evaluate(scenario, memory, make_reasoner("scripted", track))
        entries = [(e.id, e.text) for e in memory.store.entries()]
        found[tier, policy] = scenario, result, entries, memory.store.refusals
    return found


def served(track, scenario, policy, faults=None, mode="native"):
    """The episode with writes and answers over HTTP; result, store, usages, server stats."""
    with running(faults=faults or Faults()) as server:
        options = f"base_url={server.base_url},tools={mode},backoff=0.001"
        memory = make_memory(f"agentic-llm:{options},script={policy}", track)
        reasoner = make_reasoner(f"llm:{options}", track)
        try:
            result = evaluate(scenario, memory, reasoner)
            entries = [(e.id, e.text) for e in memory.store.entries()]
            return result, entries, memory.usage(), reasoner.usage(), dict(server.stats)
        finally:
            memory.close()
            reasoner.close()


def scores(result):
    return (
        result.composite,
        result.axes,
        result.accuracy,
        result.writes_used,
        result.tokens_stored,
        [(a.question_id, a.answer, a.correct, a.status) for a in result.answers],
    )


@pytest.mark.parametrize("tier,policy", [("standard", "perfect"), ("lite", "strategic")])
def test_an_http_episode_equals_the_in_process_one(track, episodes, tier, policy):
    scenario, reference, entries, refusals = episodes[tier, policy]
    result, served_entries, writer, answerer, stats = served(track, scenario, policy)
    assert scores(result) == scores(reference) and result.status == "ok"
    assert served_entries == entries and entries
    assert result.memory.startswith("agentic-llm:") and f"script={policy}" in result.memory
    # Replayed refusals are the scripted policy's own; the answers needed no bad call.
    assert writer["tool_errors"] == refusals and answerer["tool_errors"] == 0
    assert writer["calls"] + answerer["calls"] == stats["requests"] == stats["ok"]
    assert writer["calls"] > len([e for e in scenario.events if e.kind != "question"])


def test_perfect_policy_reaches_full_marks(episodes):
    _, reference, _, _ = episodes["standard", "perfect"]
    assert reference.accuracy == 1.0


def test_text_tool_mode_scores_as_native(track, episodes):
    scenario, reference, entries, _ = episodes["standard", "perfect"]
    result, served_entries, writer, answerer, stats = served(
        track, scenario, "perfect", mode="text"
    )
    assert scores(result) == scores(reference) and served_entries == entries
    assert stats.get("tool_calls", 0) == 0  # every call travelled as a CALL line
    assert writer["tool_errors"] == answerer["tool_errors"] == 0


@pytest.mark.parametrize("mode", ["native", "text"])
def test_malformed_calls_are_model_errors_and_redone(track, episodes, mode):
    scenario, reference, entries, refusals = episodes["lite", "strategic"]
    faults = Faults(malformed=0.25, seed=3)
    result, served_entries, writer, answerer, stats = served(
        track, scenario, "strategic", faults, mode
    )
    assert scores(result) == scores(reference) and served_entries == entries
    assert stats["malformed"] > 0
    assert writer["tool_errors"] + answerer["tool_errors"] == stats["malformed"] + refusals


def test_wrong_arguments_are_model_errors_redone_and_leave_the_store_intact(track, episodes):
    scenario, reference, entries, refusals = episodes["lite", "strategic"]
    faults = Faults(wrong_args=0.25, malformed=0.1, seed=3)
    result, served_entries, writer, answerer, stats = served(track, scenario, "strategic", faults)
    assert scores(result) == scores(reference) and served_entries == entries
    assert stats["wrong_args"] > 0 and stats["malformed"] > 0
    bad = stats["wrong_args"] + stats["malformed"]
    assert writer["tool_errors"] + answerer["tool_errors"] == bad + refusals
    assert writer["failed"] == answerer["failed"] == 0  # the model's errors, never infra


@pytest.mark.parametrize(
    "tool,args",
    [
        (EDIT, {"id": 3, "text": "x"}),
        (WRITE, {"text": "x"}),
        (SEARCH, {"query": "Orvona", "k": 5}),
        (SUBMIT, {"answer": "120"}),
    ],
)
def test_injected_wrong_arguments_are_refused_by_the_tools_schema(tool, args):
    tools = Toolset([tool])
    assert tools.parse(tool.name, json.dumps(args)).args == args
    with pytest.raises(ModelError) as info:
        tools.parse(tool.name, json.dumps(wrong_arguments(args)))
    assert info.value.reason == "wrong_arguments"


def test_truncated_event_replies_are_counted_and_change_nothing(track, episodes):
    scenario, _, _, _ = episodes["lite", "strategic"]
    result, entries, writer, _, stats = served(track, scenario, "perfect", Faults(truncate=1.0))
    shown = sum(e.kind not in ("question", "session") for e in scenario.events)
    # Every event's closing reply and every answer is cut: the writes all landed, answers did not.
    assert stats["truncated"] == shown + len(result.answers)
    assert writer["tool_errors"] == shown and entries
    assert all(
        a.status == "model_error" and a.error.startswith("truncated") for a in result.answers
    )


def write_request(client, episode, index, text, params):
    writer = {"params": params, "seed": "s"}
    return client.chat.completions.create(
        model=MODEL,
        messages=[
            {"role": "system", "content": "brief"},
            {"role": "user", "content": event_message(index, text)},
        ],
        extra_headers={
            POLICY_HEADER: "perfect",
            EPISODE_HEADER: episode,
            WRITER_HEADER: json.dumps(writer),
        },
    )


def test_episode_state_is_bounded_and_ordered(track):
    scenario = track.generate(0, "lite")
    text = next(e.text for e in scenario.events if e.kind == "document")
    params = dict(scenario.params)
    with running(max_episodes=2) as server:
        client = openai.OpenAI(base_url=server.base_url, api_key="x", max_retries=0, timeout=5)
        for episode in ("a", "b", "c"):
            reply = write_request(client, episode, 0, text, params)
            assert reply.choices[0].message.tool_calls[0].function.name == "memory_write"
        assert server.mirrors.episodes() == ["b", "c"]  # "a", least recently used, evicted
        with pytest.raises(openai.BadRequestError, match="evicted"):
            write_request(client, "a", 1, text, params)
        with pytest.raises(openai.BadRequestError, match="out of order"):
            write_request(client, "b", 5, text, params)
        again = write_request(client, "b", 0, text, params)  # the current event, asked again
        assert again.choices[0].message.tool_calls[0].function.name == "memory_write"
        assert server.mirrors.episodes() == ["c", "b"]
    with pytest.raises(ValueError, match="max_episodes"):
        Mirrors(0)


def test_rate_limits_and_server_errors_on_writes_are_retried_to_the_same_episode(track, episodes):
    scenario, reference, entries, _ = episodes["lite", "strategic"]
    faults = Faults(rate_5xx=0.15, rate_429=0.1, seed=4)
    result, served_entries, writer, answerer, stats = served(track, scenario, "strategic", faults)
    assert scores(result) == scores(reference) and served_entries == entries
    assert stats["http_503"] > 0 and stats["http_429"] > 0
    assert writer["retries"] + answerer["retries"] == stats["http_503"] + stats["http_429"]
