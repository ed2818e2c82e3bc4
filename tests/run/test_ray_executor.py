"""The Ray executor on a real local Ray instance with two worker CPUs: same results as the local
executor, and a run whose worker is killed mid-episode still stores every episode exactly once."""

from __future__ import annotations

import os
import signal
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from memgym.cli import main
from memgym.run.results import ResultsStore
from memgym.run.runner import run_concurrent, run_item
from memgym.run.work import WorkItem, stream
from memgym.types import EpisodeResult

ray = pytest.importorskip("ray", reason="the Ray executor needs the 'ray' extra")

from memgym.run.ray_executor import run_ray

PAIRS = [("agentic:policy=strategic", "scripted"), ("window:max_tokens=600", "scripted")]


@pytest.fixture(scope="module")
def items() -> list[WorkItem]:
    return list(stream("entities", "lite", range(3), {}, PAIRS))


@pytest.fixture(scope="module")
def local(items, tmp_path_factory) -> list[EpisodeResult]:
    """The same work on the local executor, read back from its results file."""
    path = tmp_path_factory.mktemp("local") / "local.sqlite"
    with ResultsStore(path) as store:
        run_concurrent(items, store, store.start_run({"executor": "local"}))
        return list(store.episodes())


def stored(path: Path) -> list[EpisodeResult]:
    with ResultsStore(path) as store:
        return list(store.episodes())


def by_key(results: list[EpisodeResult]) -> dict[tuple[str, str], dict]:
    return {(r.scenario_hash, r.memory): r.model_dump() for r in results}


def test_ray_results_equal_the_local_executor(cluster, items, local, tmp_path):
    path = tmp_path / "ray.sqlite"
    with ResultsStore(path) as store:
        returned = run_ray(items, store, store.start_run({"executor": "ray"}))
    assert [r.scenario_hash for r in returned] == [r.scenario_hash for r in local]
    ray_rows = stored(path)
    assert len(ray_rows) == len(items)
    assert by_key(ray_rows) == by_key(local)
    assert sum(len(r.compactions) for r in ray_rows) > 0  # the window memory compacted


def kill_once(victim: str, marker: str) -> Callable[[WorkItem], EpisodeResult]:
    """``run_item``, except that the first attempt of the ``victim`` item publishes its worker's
    pid in ``marker`` and waits there to be killed; the retry records its own pid and runs."""

    def task(item: WorkItem) -> EpisodeResult:
        if item.key == victim:
            if not os.path.exists(marker):
                with open(marker + ".tmp", "w") as f:
                    f.write(str(os.getpid()))
                os.rename(marker + ".tmp", marker)
                time.sleep(120)
            with open(marker + ".retry", "w") as f:
                f.write(str(os.getpid()))
        return run_item(item)

    return task


def test_a_killed_worker_is_retried_and_every_episode_is_stored_once(
    cluster, items, local, tmp_path
):
    marker = str(tmp_path / "victim.pid")
    victim = items[3].key
    killed: list[int] = []

    def killer() -> None:
        deadline = time.monotonic() + 60
        while not os.path.exists(marker) and time.monotonic() < deadline:
            time.sleep(0.05)
        pid = int(Path(marker).read_text())
        os.kill(pid, signal.SIGKILL)
        killed.append(pid)

    thread = threading.Thread(target=killer, daemon=True)
    thread.start()
    path = tmp_path / "ray.sqlite"
    with ResultsStore(path) as store:
        run_ray(items, store, store.start_run({}), task=kill_once(victim, marker))
    thread.join(5)
    assert killed, "the victim task never started"
    retry_pid = int(Path(marker + ".retry").read_text())
    assert retry_pid != killed[0]
    with sqlite3.connect(path) as db:
        keys = [k for (k,) in db.execute("SELECT key FROM episodes")]
    assert sorted(keys) == sorted(item.key for item in items)
    assert by_key(stored(path)) == by_key(local)


def test_cli_run_with_the_ray_executor(cluster, items, local, tmp_path, capsys):
    path = tmp_path / "cli.sqlite"
    argv = ["run", "--tier", "lite", "--seeds", "3", "--results", str(path), "--executor", "ray"]
    assert main([*argv, "--memory", PAIRS[1][0], "--reasoner", "scripted"]) == 0
    assert "window 600" in capsys.readouterr().out  # the short label; --json has the spec
    expected = {k: v for k, v in by_key(local).items() if k[1] == PAIRS[1][0]}
    assert by_key(stored(path)) == expected


def test_address_needs_the_ray_executor(capsys):
    assert main(["run", "--address", "auto"]) == 2
    assert "--address needs --executor ray" in capsys.readouterr().err
