"""Progress that a log shows: with stderr a pipe, ``run`` and ``compare`` write a line per
finished episode (at most one a second) and a heartbeat line per minute while none finishes."""

from __future__ import annotations

import io
import re

from rich.console import Console

from memgym.commands.logged_progress import HEARTBEAT_S, MIN_GAP_S, LoggedProgress
from memgym.serve import running
from memgym.serve.faults import Faults
from tests.cli_process import memgym


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_line_per_finished_item_and_a_heartbeat_between():
    out, clock = io.StringIO(), Clock()
    log = Console(file=out, width=200)
    with LoggedProgress(log=log, clock=clock, disable=True) as bar:
        task = bar.add_task("episodes", total=4, stats="")
        clock.now = MIN_GAP_S / 2
        bar.update(task, completed=1)  # too soon after the start: no line
        clock.now = MIN_GAP_S * 2
        bar.update(task, completed=2, stats="9 calls")
        clock.now += HEARTBEAT_S - 1
        bar.update(task, completed=2)  # nothing finished, under a minute: no line
        clock.now += 2
        bar.update(task, completed=2)  # a minute without a line: the heartbeat
        clock.now += 0.1
        bar.update(task, completed=4)  # the last item: always
    lines = out.getvalue().splitlines()
    assert [re.match(r"episodes (\d)/4", x).group(1) for x in lines] == ["2", "2", "4"]
    assert lines[0].endswith(": 9 calls") and "eta" in lines[0] and "eta" not in lines[-1]


def test_run_through_a_pipe_writes_a_line_per_episode(tmp_path):
    """A real run with stderr a pipe (each episode over a second: the served model's latency)."""
    with running(faults=Faults(latency=0.5)) as server:
        done = memgym(
            "run", "--tier", "lite", "--param", "entities=4", "--param", "questions=2",
            "--seeds", "3", "--concurrency", "1", "--model", "memgym-scripted",
            "--base-url", server.base_url, "--results", str(tmp_path / "r.sqlite"),
        )  # fmt: skip
    assert done.returncode == 0, done.stderr
    lines = [x for x in done.stderr.splitlines() if x.startswith("episodes ")]
    assert [x.split()[1] for x in lines] == ["1/3", "2/3", "3/3"]
    assert all(re.search(r": \d+ calls · \S+ tok · \d+ retries · 0 errors$", x) for x in lines)


def test_compare_through_a_pipe_says_how_far_it_is(tmp_path):
    done = memgym("compare", "--tier", "lite", "--param", "entities=4", "--param", "questions=2",
                  "--seeds", "2", "--results", str(tmp_path / "c.sqlite"))  # fmt: skip
    assert done.returncode == 0, done.stderr
    last = [x for x in done.stderr.splitlines() if x.startswith("episodes ")][-1]
    assert re.match(r"episodes (\d+)/\1 \(100%\), \d+s elapsed", last), done.stderr


def test_the_eta_is_the_whole_runs_pace_not_a_burst():
    """8 of 10 items in 600 s, the last 3 in one burst (stream episodes between model sessions):
    the eta is 600 / 8 per item left (150 s), where rich's 30-second window said a few seconds."""
    out, clock = io.StringIO(), Clock()
    log = Console(file=out, width=200)
    with LoggedProgress(log=log, clock=clock, disable=True) as bar:
        task = bar.add_task("episodes", total=10, stats="")
        for done, at in [(1, 100), (2, 200), (3, 300), (4, 400), (5, 598)]:
            clock.now = at
            bar.update(task, completed=done)
        for done in (6, 7, 8):  # the burst: one line for it, at 600 s
            clock.now += 2 / 3
            bar.update(task, completed=done)
        clock.now = 600
        bar.update(task, completed=8)
    lines = out.getvalue().splitlines()
    last = [x for x in lines if x.startswith("episodes 8/10")][-1]
    expected = 600 / 8 * (10 - 8)  # recomputed: the pace since the start
    assert f"eta {int(expected) // 60}m {int(expected) % 60:02d}s" in last, lines
    assert "eta" in lines[0] and lines[0].endswith(f"eta {100 * 9 // 60}m {100 * 9 % 60:02d}s")
