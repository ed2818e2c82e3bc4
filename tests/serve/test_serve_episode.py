"""The headline check: an episode driven over real HTTP through ``memgym serve`` scores exactly
as the in-process scripted reasoner does, with and without injected faults."""

import pytest

from memgym.memory import make_memory
from memgym.reasoners import make_reasoner
from memgym.reasoners.llm import LLMReasoner
from memgym.run.episode import evaluate
from memgym.serve import Faults, running

MEMORY = "agentic:policy=perfect"


@pytest.fixture(scope="module")
def standard(track):
    scenario = track.generate(0, "standard")
    reference = evaluate(scenario, make_memory(MEMORY, track), make_reasoner("scripted", track))
    return scenario, reference


def served(track, scenario, faults: Faults, **options):
    with running(faults=faults) as server:
        reasoner = LLMReasoner(track, base_url=server.base_url, backoff=0.001, **options)
        try:
            result = evaluate(scenario, make_memory(MEMORY, track), reasoner)
            return result, reasoner.client.ledger.totals(), dict(server.stats), reasoner.tool_errors
        finally:
            reasoner.close()


def scores(result):
    return (
        result.axes,
        result.composite,
        result.accuracy,
        result.abstention,
        result.correct,
        [(a.question_id, a.answer, a.correct, a.status) for a in result.answers],
    )


def test_served_episode_scores_exactly_as_the_scripted_reasoner(track, standard):
    scenario, reference = standard
    result, totals, stats, _ = served(track, scenario, Faults())
    assert scores(result) == scores(reference) and result.status == "ok"
    assert reference.accuracy > 0.5
    assert stats["tool_calls"] > 0 and totals["retries"] == 0
    assert result.reasoner.startswith("llm:model=memgym-scripted")


def test_injected_429_and_5xx_are_retried_to_the_same_scores(track, standard):
    scenario, reference = standard
    faults = Faults(rate_5xx=0.2, rate_429=0.1, seed=5)
    result, totals, stats, _ = served(track, scenario, faults)
    assert scores(result) == scores(reference) and result.status == "ok"
    assert stats["http_503"] > 0 and stats["http_429"] > 0
    assert totals["retries"] == stats["http_503"] + stats["http_429"]


def test_malformed_tool_calls_are_fed_back_and_redone(track, standard):
    scenario, reference = standard
    result, _, stats, tool_errors = served(track, scenario, Faults(malformed=0.2, seed=2))
    assert scores(result) == scores(reference)
    assert tool_errors == stats["malformed"] > 0


def test_persistent_server_errors_mark_the_episode_infra_error(track, standard):
    scenario, _ = standard
    result, totals, _, _ = served(track, scenario, Faults(rate_5xx=1.0), max_retries=1)
    assert result.status == "infra_error"
    assert all(a.status == "infra_error" and "server_error" in a.error for a in result.answers)
    assert totals["failed"] == len(result.answers)


def test_truncated_answers_are_model_errors(track, standard):
    scenario, _ = standard
    result, _, stats, _ = served(track, scenario, Faults(truncate=1.0))
    assert result.status == "ok" and result.correct == 0
    assert stats["truncated"] == len(result.answers)
    assert all(
        a.status == "model_error" and a.error.startswith("truncated") for a in result.answers
    )


def test_a_cached_rerun_replays_the_episode_without_http(track, standard, tmp_path):
    scenario, reference = standard
    cache = str(tmp_path / "calls.sqlite")
    first, totals, stats, _ = served(track, scenario, Faults(rate_5xx=0.2, seed=1), cache=cache)
    again, replay, replay_stats, _ = served(track, scenario, Faults(), cache=cache)
    assert scores(first) == scores(again) == scores(reference)
    assert stats["requests"] > 0 and replay_stats.get("requests", 0) == 0
    assert replay["cached"] == replay["calls"] == totals["calls"]
