"""Inspect tasks under a salt: each sample is the scenario ``memgym run`` draws for its seed under
that salt; the log carries the salt's digest, never the salt; unsalted tasks are unchanged."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("inspect_ai", reason="needs the inspect extra")

from inspect_ai import eval as inspect_eval
from inspect_ai.model import ModelOutput, ModelUsage, get_model

from memgym.envs.inspect_tasks import memgym_task
from memgym.salt import SALT_ENV, SALT_FILE_ENV, evaluation_seed, salt_digest
from memgym.tracks import get_track

SALT = "a salt only the evaluator knows"
SMALL = {"entities": 8, "questions": 3, "write_budget": 4}
PARAMS = ",".join(f"{k}={v}" for k, v in SMALL.items())


@pytest.fixture(autouse=True)
def unsalted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(SALT_ENV, raising=False)
    monkeypatch.delenv(SALT_FILE_ENV, raising=False)


def _unknown(messages, tools, tool_choice, config):  # type: ignore[no-untyped-def]
    """A model that stores nothing and answers 'unknown'."""
    if "submit_answer" in {t.name for t in tools}:
        out = ModelOutput.for_tool_call("mockllm/model", "submit_answer", {"answer": "unknown"})
    else:
        out = ModelOutput.from_content("mockllm/model", "Done.")
    out.usage = ModelUsage(input_tokens=1, output_tokens=1, total_tokens=2)
    return out


def test_unsalted_samples_are_the_public_seeds() -> None:
    task = memgym_task("entities", "lite", seeds=2, seed=5, params=PARAMS)
    track = get_track("entities")
    hashes = [s.metadata["scenario_hash"] for s in task.dataset]
    assert hashes == [track.generate(s, "lite", **SMALL).hash for s in (5, 6)]
    assert all("salt" not in s.metadata for s in task.dataset)
    assert task.metadata["salt"] == ""


def test_salted_samples_are_the_evaluators_and_the_log_has_only_the_digest(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    track = get_track("entities")
    public = track.generate(5, "lite", **SMALL).hash
    monkeypatch.setenv(SALT_ENV, SALT)
    salted = track.generate(evaluation_seed("entities", 5), "lite", **SMALL).hash
    task = memgym_task("entities", "lite", seeds=1, seed=5, params=PARAMS)
    (sample,) = task.dataset
    assert sample.metadata["scenario_hash"] == salted != public
    assert sample.metadata["salt"] == task.metadata["salt"] == salt_digest()
    model = get_model("mockllm/model", custom_outputs=_unknown)
    (log,) = inspect_eval(task, model=model, log_dir=str(tmp_path), display="none")
    assert log.status == "success"
    (played,) = log.samples or []
    assert played.metadata["memgym"]["scenario_hash"] == salted  # the episode the solver played
    assert played.metadata["salt"] == salt_digest()
    written = "".join(p.read_text(errors="replace") for p in tmp_path.rglob("*") if p.is_file())
    text = written + log.model_dump_json()
    assert SALT not in text and str(evaluation_seed("entities", 5)) not in text


def test_a_task_built_under_one_salt_refuses_to_play_under_another(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(SALT_ENV, SALT)
    task = memgym_task("entities", "lite", seeds=1, seed=5, params=PARAMS)
    monkeypatch.setenv(SALT_ENV, "another salt")
    model = get_model("mockllm/model", custom_outputs=_unknown)
    (log,) = inspect_eval(task, model=model, log_dir=str(tmp_path), display="none")
    assert log.status == "error"
    assert log.error is not None and "another salt than MEMGYM_SALT" in log.error.message
