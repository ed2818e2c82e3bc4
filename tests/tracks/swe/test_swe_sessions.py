"""swe sessions in the real sandbox: the reference agents bound the track, memory decides the
probe, and a hostile agent (writing outside, fork-bombing, looping forever) is stopped, scored 0
and leaves the run and the machine unharmed."""

from __future__ import annotations

import os
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

import memgym
from memgym.interactive.agents import Agent
from memgym.interactive.episode import evaluate_interactive
from memgym.tracks import get_track
from memgym.tracks.session import AgentTurn, ChatMessage, call
from memgym.tracks.swe.sandbox import Sandbox
from tests.engines import needs

pytestmark = needs("swe")
TIGHT = "window:max_tokens=1500"


def test_gold_solves_noop_fails_and_context_needs_memory() -> None:
    track = get_track("swe")
    scenario = track.generate(1)
    redos = sum("Make the fix of issue" in e.text for e in scenario.events)
    fixes = len(scenario.events) - redos
    gold = evaluate_interactive(track, scenario, "full", "gold")
    noop = evaluate_interactive(track, scenario, "full", "noop")
    full = evaluate_interactive(track, scenario, "full", "context")
    tight = evaluate_interactive(track, scenario, TIGHT, "context")
    assert gold.composite == 1.0 and gold.correct == redos  # the redo issues are scored
    assert gold.usage["setup_tasks"] == gold.usage["setup_solved"] == fixes  # fixes apart
    assert noop.composite == 0.0 and noop.usage["setup_solved"] == 0
    assert full.composite == 1.0
    # The fix made issues earlier (and the outline read at the start) fall out of the window
    # under the reads that follow: the context agent cannot make the fix again.
    assert tight.correct < redos and tight.compactions
    assert gold.usage["tool_calls"] > 0 and gold.usage["view_tokens"] > tight.usage["view_tokens"]


class Hostile(Agent):
    """Runs each task's commands, then says it is done (never fixes anything). Stateless: the
    task is the number of user messages in its (full) view, the step the tool results since."""

    name = "hostile"

    def __init__(self, scripts: list[list[dict[str, Any]]]) -> None:
        self.scripts = scripts

    def act(self, messages: Sequence[ChatMessage], tools: Sequence[dict[str, Any]]) -> AgentTurn:
        users = [i for i, m in enumerate(messages) if m["role"] == "user"]
        task = len(users) - 2  # the session's opening line, then one message per issue
        step = sum(m["role"] == "tool" for m in messages[users[-1] :])
        script = self.scripts[task] if task < len(self.scripts) else []
        if step >= len(script):
            return AgentTurn("done")
        args = script[step]
        name = "edit" if "old" in args else "bash"
        return AgentTurn(tool_calls=(call(f"h{task}_{step}", name, **args),))


def _alive(marker: str) -> list[int]:
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if marker.encode() in cmdline:
            found.append(int(pid))
    return found


def test_hostile_agent_is_stopped_scored_zero_and_harms_nothing(tmp_path: Path) -> None:
    track = get_track("swe")
    scenario = track.generate(0, command_seconds=2)
    outside = Path.cwd() / f"swe-escape-{uuid.uuid4().hex[:8]}"
    marker = f"marker{uuid.uuid4().hex[:8]}"
    tmp_file = tmp_path / "outside.txt"
    tmp_file.write_text("untouched")
    bomb = f"f(){{ f | f & }}; f # {marker}"  # capped: a user id of its own, or RLIMIT_NPROC
    scripts = [
        [{"command": f"echo pwned > {outside}; echo pwned > {tmp_file}; ls -d /work /tmp/*"},
         {"command": f"ln -s {tmp_file} link.txt"},
         {"path": "link.txt", "old": "untouched", "new": "pwned"},
         {"path": f"../{tmp_file.name}", "old": "untouched", "new": "pwned"}],
        [{"command": bomb}, {"command": "echo alive"}],
        [{"command": f"while true; do :; done # {marker}"}, {"command": "echo still-alive"}],
    ]  # fmt: skip
    agent = Hostile(scripts)
    result = evaluate_interactive(track, scenario, "full", agent)
    assert not outside.exists() and tmp_file.read_text() == "untouched"
    assert result.status == "ok" and result.composite == 0.0
    assert result.usage["setup_solved"] == 0
    assert [a.status for a in result.answers] == ["ok"] * 3  # the three redo issues
    assert all("hidden tests pass" in a.answer for a in result.answers)  # verified, not crashed
    assert result.usage["tool_calls"] == sum(len(s) for s in scripts)
    assert _alive(marker) == []  # the bomb and the loop are gone


@pytest.mark.parametrize("cgroup", [True, False], ids=["cgroup-if-any", "no-cgroup"])
def test_sandbox_reports_each_stop(tmp_path: Path, cgroup: bool) -> None:
    from memgym.tracks.swe.sandbox import SandboxLimits

    box = Sandbox(tmp_path, SandboxLimits(wall_seconds=1.5, output_chars=100), cgroup=cgroup)
    try:
        loop = box.shell("while true; do :; done")
        assert loop.timed_out and "time limit" in loop.render()
        assert box.cap.kind == ("cgroup" if cgroup else "uid") or box.cap.kind == "rlimit"
        # The cap holds: of 200 children asked for, fewer than the cap start.
        forks = (
            "import os, time\nn = 0\nfor _ in range(200):\n    try:\n        pid = os.fork()\n"
            "    except OSError:\n        break\n    if pid == 0:\n        time.sleep(3)\n"
            "        os._exit(0)\n    n += 1\nprint(n)\n"
        )
        started = int(box.run(["python", "-c", forks]).output.split()[0])
        assert 10 <= started < box.limits.processes
        bomb = box.shell("f(){ f | f & }; f; sleep 0.5; echo survived")
        assert not bomb.timed_out or bomb.returncode != 0
        assert box.shell("echo ok").output == "ok\n"
        outside = Path(memgym.__file__).parent  # not there inside, wherever the checkout lives
        for target in (outside / "escape-probe", "/opt/python/lib/escape-probe"):
            write = box.shell(f"touch {target} 2>&1 | head -c 20")  # paths outrun the 100 chars
            assert write.output == "touch: cannot touch ", target
        assert not (outside / "escape-probe").exists()
        flood = box.shell("yes")
        assert flood.cut > 0 and len(flood.output) == 100
        connect = "import socket; socket.create_connection(('1.1.1.1', 80), 1)"
        net = box.shell(f'python -c "{connect}" 2>&1 | tail -1')
        assert "unreachable" in net.output
    finally:
        box.close()


def test_audit_reports_the_generation_yield(capsys: pytest.CaptureFixture[str]) -> None:
    from memgym.cli import main

    assert main(["audit", "--track", "swe", "--seeds", "1", "--seed", "5"]) == 0
    out = capsys.readouterr().out
    counts = get_track("swe").generation(get_track("swe").generate(5))
    assert f"generation: {counts['kept']}/{counts['tried']} candidates kept" in out
    assert "yield: 3/3 tasks kept" in out and "colorsys" in out
    text = " ".join(out.split())  # lines wrapped at the console's width
    assert "memory-sensitive (scored): 3 of 6 tasks (50.0%)" in text  # 3 redos, 3 fixes apart
    assert "gate: floor 0.000, full 1.000" in text and "swe-explore 0.000 (0.0%)" in text
