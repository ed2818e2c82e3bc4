"""``memgym.pool.finished``: streams its tasks (never more than twice the workers ahead of
what it handed back), keeps task order when asked, and raises a worker's exception here."""

from __future__ import annotations

import itertools
import subprocess
import sys
import time

import pytest

from memgym.pool import finished


def square(x: int) -> int:
    time.sleep(0.001 * (x % 3))
    return x * x


def fail_on_three(x: int) -> int:
    if x == 3:
        raise ValueError("three")
    return x


@pytest.mark.parametrize("workers", [1, 3])
def test_an_endless_task_list_is_streamed(workers):
    pulled = []

    def tasks():
        for n in itertools.count():
            pulled.append(n)
            yield n

    got = []
    for task, value in finished(tasks(), square, workers):
        got.append((task, value))
        assert len(pulled) <= len(got) + 2 * workers + 1
        if len(got) == 50:
            break
    assert all(value == task * task for task, value in got)


@pytest.mark.parametrize("processes", [False, True])
def test_ordered_results_follow_the_tasks(processes):
    out = list(finished(range(20), square, 3, processes=processes, ordered=True))
    assert out == [(n, n * n) for n in range(20)]


def test_unordered_results_hold_every_task_once():
    out = list(finished(range(30), square, 4))
    assert sorted(out) == [(n, n * n) for n in range(30)]


@pytest.mark.parametrize("processes", [False, True])
def test_a_worker_exception_is_raised_here(processes):
    with pytest.raises(ValueError, match="three"):
        list(finished(range(10), fail_on_three, 2, processes=processes, ordered=True))


def test_bad_worker_counts_are_refused():
    with pytest.raises(ValueError, match="workers"):
        list(finished([1], square, 0))


_STOP_UNDER_A_SIGTERM_HANDLER = """
import signal, time
from memgym.pool import finished

def slow(x):
    time.sleep(0.2 if x == 0 else 60)
    return x

signal.signal(signal.SIGTERM, lambda *_: None)  # as ray.init leaves it, inherited on fork
for task, value in finished(range(4), slow, 2, processes=True, start_method="fork"):
    break
print("stopped")
"""


def test_stopping_ends_workers_whose_parent_handles_sigterm():
    """Stopping terminates the pool: a worker that inherited a Python SIGTERM handler from a
    forking parent would swallow the signal and the join would wait for ever."""
    done = subprocess.run(
        [sys.executable, "-c", _STOP_UNDER_A_SIGTERM_HANDLER],
        capture_output=True,
        text=True,
        timeout=45,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "stopped"
