"""Inspect AI tasks: a mock model (with usage, so no tokenizer is fetched) and an eval through an
in-process ``memgym serve`` that must score exactly what ``memgym run`` scores."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

pytest.importorskip("inspect_ai", reason="needs the inspect extra")

from inspect_ai import eval as inspect_eval
from inspect_ai.log import read_eval_log
from inspect_ai.model import ModelOutput, ModelUsage, get_model

from memgym.cli import main
from memgym.memory.agentic import SILENT_KINDS
from memgym.scoring import is_correct, score_answers
from memgym.serve import running
from memgym.tracks import get_track, stream_events
from memgym.types import AnswerRecord

SMALL = {"entities": 8, "questions": 4, "corrections": 1, "updates": 1, "write_budget": 6}
PARAMS = ",".join(f"{k}={v}" for k, v in SMALL.items())
NOTE_CHARS = 60


def _mock(messages, tools, tool_choice, config):  # type: ignore[no-untyped-def]
    """A scripted stand-in for a model: notes the start of each event, answers 'unknown'."""
    names = {t.name for t in tools}
    if "submit_answer" in names:
        out = ModelOutput.for_tool_call("mockllm/model", "submit_answer", {"answer": "unknown"})
    elif messages[-1].role == "user":
        text = messages[-1].text.split("\n", 1)[1]  # after the "Event <n>:" line
        out = ModelOutput.for_tool_call(
            "mockllm/model", "memory_write", {"text": text[:NOTE_CHARS]}
        )
    else:
        out = ModelOutput.from_content("mockllm/model", "Done.")
    out.usage = ModelUsage(input_tokens=10, output_tokens=5, total_tokens=15)
    return out


def test_mock_model_eval_logs_memgym_scores(tmp_path) -> None:
    model = get_model("mockllm/model", custom_outputs=_mock)
    logs = inspect_eval(
        "memgym/entities",  # resolved through memgym's inspect_ai entry point
        task_args={"tier": "lite", "seed": 3, "params": PARAMS},
        model=model,
        log_dir=str(tmp_path),
        display="none",
    )
    assert logs[0].status == "success"
    log = read_eval_log(logs[0].location)  # what is on disk
    (sample,) = log.samples or []
    score = next(iter(sample.scores.values()))
    # recompute what this model must score: the first write_budget events noted, all 'unknown'
    scenario = get_track("entities").generate(3, "lite", **SMALL)
    events = [e for e in stream_events(scenario) if e.kind not in SILENT_KINDS]
    writes = min(SMALL["write_budget"], len(events))
    answers = [
        AnswerRecord(
            question_id=q.id,
            kind=q.kind,
            axis=q.axis,
            answer="unknown",
            correct=is_correct(q, "unknown"),
        )
        for q in scenario.questions
    ]
    expected = score_answers(answers, writes)
    assert sample.metadata["scenario_hash"] == scenario.hash
    assert score.metadata["scenario_hash"] == scenario.hash
    assert score.metadata["writes_used"] == writes
    assert score.metadata["axes"] == expected.axes
    assert score.value["composite"] == expected.composite
    assert score.metadata["abstention"] == expected.abstention
    assert {s.name for s in log.results.scores} >= {"composite", "accuracy", *expected.axes}


def _memgym_run(policy: str, seed: int, tmp_path) -> list[str]:  # type: ignore[no-untyped-def]
    args = ["run", "--tier", "lite", "--policies", policy, "--seeds", "1", "--seed", str(seed)]
    args += [f"--param={k}={v}" for k, v in SMALL.items()]
    args += ["--results", str(tmp_path / "r.sqlite"), "--json"]
    return args


@pytest.mark.parametrize("policy", ["strategic", "perfect"])
def test_eval_through_memgym_serve_scores_as_memgym_run(policy, tmp_path, capsys) -> None:
    seed = 5
    assert main(_memgym_run(policy, seed, tmp_path)) == 0
    (expected,) = json.loads(capsys.readouterr().out)["episodes"]
    with running() as server:
        model = get_model(
            "openai-api/memgym/memgym-scripted", base_url=server.base_url, api_key="unused"
        )
        logs = inspect_eval(
            "memgym/entities",
            task_args={"tier": "lite", "seed": seed, "params": PARAMS, "script": policy},
            model=model,
            log_dir=str(tmp_path),
            display="none",
        )
        assert server.stats["requests"] == server.stats["ok"] > 0  # every write and answer served
    (sample,) = logs[0].samples or []
    score = next(iter(sample.scores.values()))
    assert score.metadata["scenario_hash"] == expected["scenario_hash"]
    assert score.value["composite"] == expected["composite"]
    assert score.metadata["axes"] == expected["axes"]
    assert score.metadata["writes_used"] == expected["writes_used"]
    assert score.metadata["tokens_stored"] == expected["tokens_stored"]
    answers = sample.metadata["memgym"]["answers"]
    assert [(a["question_id"], a["answer"], a["correct"]) for a in answers] == [
        (a["question_id"], a["answer"], a["correct"]) for a in expected["answers"]
    ]
    assert sample.metadata["memgym"]["model_errors"] == 0


def _confused(messages, tools, tool_choice, config):  # type: ignore[no-untyped-def]
    """A model that only ever calls a tool that does not exist."""
    out = ModelOutput.for_tool_call("mockllm/model", "memory_format_disk", {})
    out.usage = ModelUsage(input_tokens=10, output_tokens=5, total_tokens=15)
    return out


def test_bad_calls_are_answered_with_errors_and_scored_as_the_models(tmp_path) -> None:
    from memgym.envs._registry import TASKS

    task = TASKS["entities"](tier="lite", seed=2, params=PARAMS, max_turns=2)
    logs = inspect_eval(
        task,
        model=get_model("mockllm/model", custom_outputs=_confused),
        log_dir=str(tmp_path),
        display="none",
    )
    (sample,) = logs[0].samples or []
    result = sample.metadata["memgym"]
    scenario = get_track("entities").generate(2, "lite", **SMALL)
    assert result["model_errors"] == len(scenario.questions)  # no answer within max_turns
    assert [a["answer"] for a in result["answers"]] == [""] * len(scenario.questions)
    # One rule for an unanswered question, as memgym run records it: a model_error, no_answer.
    assert {(a["status"], a["error"]) for a in result["answers"]} == {("model_error", "no_answer")}
    assert result["scores"]["writes_used"] == 0 and result["scores"]["composite"] == 0.0
    tool_results = [m for m in sample.messages if m.role == "tool"]
    assert tool_results and all('"reason": "unknown_tool"' in m.text for m in tool_results)


def _unknown_scores(seed: int) -> tuple[str, object]:
    """(scenario hash, memgym's scores) of answering 'unknown' to all questions, storing nothing."""
    scenario = get_track("entities").generate(seed, "lite", **SMALL)
    answers = [
        AnswerRecord(
            question_id=q.id,
            kind=q.kind,
            axis=q.axis,
            answer="unknown",
            correct=is_correct(q, "unknown"),
        )
        for q in scenario.questions
    ]
    return scenario.hash, score_answers(answers, 0)


def _rambling(messages, tools, tool_choice, config):  # type: ignore[no-untyped-def]
    """A model that replies in several lines without an Answer: line (and calls no tool)."""
    out = ModelOutput.from_content("mockllm/model", "Let me think.\nThe records say many things.")
    out.usage = ModelUsage(input_tokens=10, output_tokens=5, total_tokens=15)
    return out


def test_an_unreadable_reply_is_a_model_error_as_in_memgym_run(tmp_path) -> None:
    from memgym.envs._registry import TASKS

    task = TASKS["entities"](tier="lite", seed=2, params=PARAMS, max_turns=2)
    logs = inspect_eval(
        task, model=get_model("mockllm/model", custom_outputs=_rambling),
        log_dir=str(tmp_path), display="none",
    )  # fmt: skip
    (sample,) = logs[0].samples or []
    answers = sample.metadata["memgym"]["answers"]
    assert answers and all(a["status"] == "model_error" for a in answers)
    assert {a["error"] for a in answers} == {"unparsable_answer"}
    assert not any(a["correct"] for a in answers)


def test_memgym_mock_model_resolves_through_the_entry_point_offline(tmp_path) -> None:
    logs = inspect_eval(
        "memgym/entities",
        task_args={"tier": "lite", "seed": 4, "params": PARAMS},
        model="memgym-mock/model",  # a provider name only memgym's entry point registers
        log_dir=str(tmp_path),
        display="none",
    )
    assert logs[0].status == "success"
    (sample,) = read_eval_log(logs[0].location).samples or []
    score = next(iter(sample.scores.values()))
    digest, expected = _unknown_scores(4)
    assert score.metadata["scenario_hash"] == digest
    assert score.metadata["abstention"] == expected.abstention
    assert score.value["composite"] == expected.composite
    assert [a["answer"] for a in sample.metadata["memgym"]["answers"]] == ["unknown"] * len(
        sample.metadata["memgym"]["answers"]
    )
    usage = logs[0].stats.model_usage["memgym-mock/model"]
    assert usage.input_tokens > 0 and usage.output_tokens > 0  # counted by memgym, offline


@pytest.mark.slow
def test_inspect_cli_runs_a_memgym_task_offline(tmp_path) -> None:
    inspect = shutil.which("inspect")
    if inspect is None:
        pytest.skip("the inspect command is not on PATH")
    done = subprocess.run(
        [
            inspect,
            "eval",
            "memgym/entities",
            "-T",
            "tier=lite",
            "-T",
            "seed=4",
            "-T",
            f"params={PARAMS}",
            "--model",
            "memgym-mock/model",
            "--log-dir",
            str(tmp_path),
            "--display",
            "none",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    (path,) = tmp_path.glob("*.eval")
    (sample,) = read_eval_log(str(path)).samples or []
    score = next(iter(sample.scores.values()))
    digest, expected = _unknown_scores(4)
    assert score.metadata["scenario_hash"] == digest
    assert score.value["composite"] == expected.composite
