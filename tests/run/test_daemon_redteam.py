"""Nothing a plugin starts outlives its episode child: ``burrow``
(``tests/run/redteam_daemon_plugins.py``) leaves every event it observes in a detached daemon
(double fork, ``setsid``, an abstract Unix socket) and in a System V shared memory segment,
and answers only from what they held before its episode. In one process, or behind a plain
worker (no namespaces), a repeat of a scenario answers from the first play (> 0.8, from either
store alone). In the sandbox each episode child is PID 1 of PID, IPC and network namespaces of
its own: both stores work within the child (a second seed it serves reads them: learning across
scenarios), a repeat, which gets a fresh child, scores ≤ 0.05, and no daemon is left after the
run, also when the network is shared (a component naming an LLM endpoint)."""

from __future__ import annotations

import json
import os
import signal
import time
from collections.abc import Iterator
from typing import Any

import pytest

from memgym.memory import make_memory
from memgym.reasoners import make_reasoner
from memgym.run.episode import evaluate
from memgym.run.remote import close_workers
from memgym.run.runner import run_item
from memgym.run.sandbox import PROCESS, SANDBOX, _bwrap
from memgym.run.work import WorkItem
from memgym.tracks import get_track
from memgym.types import EpisodeResult
from tests.run import redteam_daemon_plugins as burrow

PLUGIN = "tests.run.redteam_daemon_plugins"


def daemons() -> list[int]:
    """The PIDs of every live ``burrow`` daemon on the machine (any namespace: this is the
    host's ``/proc``; an ended one waiting to be reaped is not counted)."""
    found = []
    for entry in os.listdir("/proc"):
        try:
            with open(f"/proc/{entry}/stat", encoding="utf-8") as f:
                name, _, rest = f.read().partition("(")[2].rpartition(")")
            if name == burrow.DAEMON and rest.split()[0] not in ("Z", "X"):
                found.append(int(entry))
        except (OSError, ValueError, IndexError):
            pass
    return found


def end_daemons() -> None:
    """Stop this namespace's daemon and remove its segment; a daemon elsewhere is killed."""
    burrow.ask("quit")
    burrow.remove_segment()
    for pid in daemons():
        os.kill(pid, signal.SIGKILL)
    for _ in range(100):
        if not daemons():
            return
        time.sleep(0.02)


@pytest.fixture
def clean() -> Iterator[None]:
    """No daemon, segment or worker before the test; after it, none left (asserted for the
    workers' daemons before the cleanup that a failed control needs)."""
    close_workers()
    end_daemons()
    yield
    close_workers()
    end_daemons()


def report(result: EpisodeResult) -> dict[str, Any]:
    """What ``burrow`` loaded at its episode's start: events the daemon and the segment held."""
    (record,) = [c for c in result.compactions if c.strategy == "burrow"]
    return json.loads(str(record.after[0].content))  # type: ignore[no-any-return]


def in_process(store: str, seed: int = 1) -> float:
    track = get_track("entities")
    memory = make_memory(f"burrow:store={store}", track)
    reasoner = make_reasoner("scripted", track)
    return evaluate(track.generate(seed, "lite"), memory, reasoner).composite


@pytest.mark.usefixtures("clean")
@pytest.mark.parametrize("store", ["socket", "shm"])
def test_in_process_a_repeat_answers_from_either_store(store: str) -> None:
    assert in_process(store) == 0.0  # its budgeted memory keeps nothing
    assert in_process(store) > 0.8
    assert daemons() if store == "socket" else not daemons()


def play(seed: int, memory: str = "burrow", tier: str = "lite") -> EpisodeResult:
    """One episode of ``burrow`` behind the boundary, as ``memgym run --plugin`` plays it."""
    item = WorkItem("entities", tier, seed, (), memory, "scripted", plugins=(PLUGIN,))
    result = run_item(item)
    assert result.status == "ok", result.reason
    return result


sandbox_only = pytest.mark.skipif(_bwrap() is None, reason="needs bubblewrap (the sandbox)")


@sandbox_only
@pytest.mark.usefixtures("clean")
@pytest.mark.parametrize("memory", ["burrow", "burrow:model=none"])
def test_behind_the_boundary_nothing_outlives_the_child(memory: str) -> None:
    first = play(1, memory)
    assert first.boundary == SANDBOX and first.composite == 0.0
    assert report(first) == {"socket": 0, "shm": 0}
    other = play(2, memory)  # the same child serves another seed: its stores work there
    assert other.composite <= 0.05
    assert report(other)["socket"] > 0 and report(other)["shm"] > 0
    assert len(daemons()) == 1  # the child's daemon runs while the child does
    for tier in ("lite", "standard", "lite"):  # a re-run, the seed under another tier, a third
        again = play(1, memory, tier)  # a repeat: a fresh child, whose namespaces are new
        assert again.composite <= 0.05
        assert report(again) == {"socket": 0, "shm": 0}
    close_workers()
    assert daemons() == []  # every child ended, and every process it started with it


@pytest.mark.usefixtures("clean", "unsandboxed")
def test_a_plain_workers_children_leave_the_daemon_running() -> None:
    first = play(1)
    again = play(1)  # a fresh child of a worker without namespaces
    assert first.boundary == PROCESS and first.composite == 0.0
    assert report(again)["socket"] > 0 and again.composite > 0.8  # the attack works there
    close_workers()
    assert daemons()  # and the daemon outlives the worker
