"""Failures of the swe track's machinery are infra errors, never a silent 0: a relative
interpreter path still runs every task, a hidden-test runner that cannot start marks the task
``infra_error``, and a module that kills the runner is the agent's failure (reward 0), not an
infra error it could hide behind."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from pathlib import Path

import pytest

import memgym
from memgym.errors import InfraError
from memgym.interactive.loop import Limits, run_session
from memgym.interactive.registry import make_agent
from memgym.memory.history.history_memory import HistoryMemory
from memgym.tracks import get_track
from memgym.tracks.session import AgentTurn, call
from memgym.tracks.swe import hidden
from memgym.tracks.swe.runtime import Runtime, runtime
from tests.engines import needs

pytestmark = needs("swe")
CHECKOUT = Path(memgym.__file__).resolve().parents[1]
ONE = {"codebase": "colorsys", "tasks": 1, "redo": 0, "target_tokens": 0}


def _no_interpreter() -> Runtime:
    """The runtime as if the runner's interpreter were missing inside the sandbox."""
    return dataclasses.replace(runtime(), binary=Path("/nowhere/python9.9"))


GOLD = """
from memgym.interactive.episode import evaluate_interactive
from memgym.tracks import get_track
track = get_track("swe")
result = evaluate_interactive(track, track.generate(5, None, **ONE), "full", "gold")
print(result.status, result.composite, result.answers[0].answer)
"""


def test_a_relative_interpreter_path_still_runs_the_hidden_tests(tmp_path: Path) -> None:
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    relative = os.path.relpath(sys.executable, scratch)
    assert not relative.startswith("/")
    done = subprocess.run(
        [relative, "-c", GOLD.replace("**ONE", f"**{ONE!r}")],
        cwd=scratch, env={**os.environ, "PYTHONPATH": str(CHECKOUT)},
        capture_output=True, text=True, check=True, timeout=300,
    )  # fmt: skip
    assert done.stdout.split()[:2] == ["ok", "1.0"], done.stdout + done.stderr


def test_a_runner_that_cannot_start_is_an_infra_error(monkeypatch: pytest.MonkeyPatch) -> None:
    track = get_track("swe")
    scenario = track.generate(5, None, **ONE)
    monkeypatch.setattr(hidden, "runtime", _no_interpreter)
    with pytest.raises(InfraError, match="hidden-test runner cannot start"):
        track.open(scenario)


def test_a_runner_lost_mid_session_marks_the_task_infra_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    track = get_track("swe")
    scenario = track.generate(5, None, **ONE)
    session = track.open(scenario)
    try:
        monkeypatch.setattr(hidden, "runtime", _no_interpreter)
        history = HistoryMemory("full", "swe", scenario.hash)
        log = run_session(session, make_agent("gold", track), history, Limits())
    finally:
        session.close()
    assert log.infra_error and [o.status for o in log.outcomes] == ["infra_error"]


def test_a_module_that_kills_the_runner_scores_zero_not_infra() -> None:
    track = get_track("swe")
    scenario = track.generate(5, None, **ONE)
    session = track.open(scenario)
    try:
        module = session.code.filename
        session.call(call("k", "bash", command=f"echo 'import os; os._exit(0)' > {module}"))
        session.reply(AgentTurn("done"))
        (outcome,) = session.outcomes()
    finally:
        session.close()
    assert outcome.status == "ok" and outcome.reward == 0.0
    assert "no readable result" in outcome.detail
