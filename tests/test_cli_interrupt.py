"""Ctrl-C stops a run at once: SIGINT to the process group (what a terminal sends) ends
``memgym run`` within 2 s with exit 130, every episode it finished is in the results file, and
``--resume`` completes the run with each episode stored once and the same scores as a run that
was never interrupted."""

from __future__ import annotations

import os
import signal
import sqlite3
import time
from pathlib import Path

import pytest

from memgym.cli import main
from memgym.run.results import ResultsStore
from tests.cli_process import start, stored

# dialogue hard: ~0.2-1 s per scripted episode, so 30 seeds x 5 policies take minutes.
RUN = ["run", "--track", "dialogue", "--tier", "hard", "--seeds", "30"]


def interrupt_when(child, ready, what, timeout=30):
    """Wait (120 s at most) until ``ready()``, then send SIGINT to ``child``'s process group;
    returns (exit code, seconds from the signal to the exit, stderr). ``what``: what the wait
    is for, in the failure message."""
    try:
        deadline = time.monotonic() + 120
        while not ready():
            assert child.poll() is None, child.stderr.read()
            assert time.monotonic() < deadline, f"{what} in 120 s"
            time.sleep(0.02)
        sent = time.monotonic()
        os.killpg(child.pid, signal.SIGINT)
        _, err = child.communicate(timeout=timeout)
        took = time.monotonic() - sent
    finally:
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGKILL)
            child.wait()
    return child.returncode, took, err


def interrupt_after(path, args, episodes=2):
    """Start ``memgym ARGS``, wait for ``episodes`` stored, send SIGINT to its process group;
    returns (exit code, seconds from the signal to the exit, episodes stored at the signal,
    stderr)."""
    child = start(*args, "--results", str(path))
    at_signal = []

    def ready():
        at_signal[:] = [stored(path)]
        return at_signal[0] >= episodes

    code, took, err = interrupt_when(child, ready, "no episode stored")
    return code, took, at_signal[0], err


def episodes(path):
    with ResultsStore.open_read(path) as store:
        return {key: r.composite for key, r in store.keyed_episodes(compactions=False)}


@pytest.mark.parametrize("executor", [[], ["--workers", "2"]], ids=["threads", "processes"])
def test_sigint_stops_a_run_within_two_seconds_keeping_finished_episodes(tmp_path, executor):
    path = tmp_path / "r.sqlite"
    code, took, at_signal, err = interrupt_after(path, [*RUN, *executor])
    assert code == 130, err
    assert took < 2.0, f"took {took:.2f} s to stop"
    kept = stored(path)
    assert at_signal <= kept < 150, "finished episodes lost, or the run was not stopped"
    message = " ".join(err.split())
    assert f"interrupted: {kept} episodes of 150 saved in run 1" in message, message
    assert "Traceback" not in err
    with ResultsStore.open_read(path) as store:
        assert store.status(1).describe() == f"incomplete: {150 - kept} not run"


def test_resume_after_sigint_completes_the_run_exactly(tmp_path):
    args = ["run", "--track", "dialogue", "--tier", "standard", "--seeds", "8"]
    path = tmp_path / "r.sqlite"
    code, _, _, _ = interrupt_after(path, args)
    assert code == 130
    kept = episodes(path)
    assert main([*args, "--results", str(path), "--resume"]) == 0
    resumed = episodes(path)
    assert len(resumed) == 8 * 5 and set(kept) <= set(resumed)
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT COUNT(*) FROM runs").fetchone() == (1,)
    clean = tmp_path / "clean.sqlite"
    assert main([*args, "--results", str(clean)]) == 0
    assert episodes(clean) == resumed  # the same keys and scores as an uninterrupted run


def test_sigint_stops_compare_and_keeps_its_episodes(tmp_path):
    path = tmp_path / "c.sqlite"
    args = ["compare", "--track", "dialogue", "--tier", "hard", "--seeds", "20"]
    args += ["--memories", "rag-bm25:k=5"]  # memories without compaction records: quick to store
    code, took, at_signal, err = interrupt_after(path, args, episodes=3)
    assert code == 130, err
    assert took < 2.0, f"took {took:.2f} s to stop"
    assert stored(path) >= at_signal
    assert "interrupted:" in err and "Traceback" not in err


def test_sigint_stops_validate_on_worker_processes_within_two_seconds():
    """``validate --workers 2`` hands each worker big chunks; Ctrl-C must not wait for them."""
    child = start("validate", "--seeds", "30", "--workers", "2")
    children = Path(f"/proc/{child.pid}/task/{child.pid}/children")
    started: list[float] = []

    def ready():  # the worker pool has started, and had half a second to take its chunks
        if not started and children.read_text().split():
            started.append(time.monotonic())
        return bool(started) and time.monotonic() - started[0] >= 0.5

    code, took, err = interrupt_when(child, ready, "no worker process", timeout=60)
    assert code == 130, err
    assert took < 2.0, f"took {took:.2f} s to stop"
    *progress, last = err.strip().splitlines()
    assert last == "interrupted"  # after the progress lines a log gets (stderr is not a TTY)
    learning = [line for line in progress if line.startswith("learning adversaries ")]
    assert progress[: len(learning)] == learning, progress  # every group's fits come first
    assert all(line.startswith("validate ") for line in progress[len(learning) :]), progress
