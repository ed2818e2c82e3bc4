"""The swe session's disk and memory caps: a session that floods its working directory ends with
a clear outcome (the agent is told, the task scores 0, status ``ok``), the tasks before it keep
their scores and the run's other sessions are scored as ever; a command whose processes together
pass the memory cap is killed and told so, and the next command runs. Never a hang."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from memgym.interactive.agents import GoldAgent
from memgym.interactive.episode import evaluate_interactive
from memgym.tracks import get_track
from memgym.tracks.session import AgentTurn, ChatMessage, call
from memgym.tracks.swe import session as swe_session
from memgym.tracks.swe.disk_cap import DiskCap
from memgym.tracks.swe.mutations import apply_all
from memgym.tracks.swe.sandbox import Sandbox, SandboxLimits
from memgym.tracks.swe.session import SweSession
from memgym.tracks.swe.track import _mutation, issues, unpack
from tests.engines import needs

pytestmark = needs("swe")
THREE = {"codebase": "colorsys", "tasks": 3, "redo": 0, "target_tokens": 0}
"""Three fix issues, scored (``redo=0``): the flood comes in the second."""
FLOOD = (
    "for i in $(seq 24); do head -c 4000000 /dev/zero > flood$i || echo cut $i; done; echo flooded"
)
"""96 MB in files of 4 MB (under the 8 MiB file limit): past the 64 MiB disk cap."""


class FloodsTheSecondIssue(GoldAgent):
    """The gold agent, except that its first act on the second issue floods the disk."""

    name = "flood-second"

    def act(self, messages: Sequence[ChatMessage], tools: Sequence[dict[str, Any]]) -> AgentTurn:
        issues_seen = sum(m.get("role") == "user" for m in messages) - 1  # the pinned opening
        if issues_seen == 2 and messages[-1].get("role") == "user":
            return AgentTurn(tool_calls=(call("flood", "bash", command=FLOOD),))
        return super().act(messages, tools)


def test_a_session_that_floods_its_disk_ends_and_the_run_goes_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    roots: list[Path] = []

    class Recorded(DiskCap):
        def __init__(self, limit_mb: int) -> None:
            super().__init__(limit_mb)
            roots.append(self.root)

    monkeypatch.setattr(swe_session, "DiskCap", Recorded)
    track = get_track("swe")
    scenario = track.generate(5, None, **THREE)
    flooded = evaluate_interactive(track, scenario, "full", FloodsTheSecondIssue(track))
    rows = flooded.answers
    assert [r.correct for r in rows] == [True, False, False]  # the first issue keeps its score
    assert flooded.status == "ok" and all(r.status == "ok" for r in rows)  # scored, not excluded
    assert "disk cap (64 MiB" in rows[1].answer and "the session ended" in rows[1].answer
    assert rows[2].answer.startswith("reward 0: never reached: the session ended")
    assert roots and not any(_mounted(r) or r.exists() for r in roots)  # its tmpfs went with it
    again = evaluate_interactive(track, scenario, "full", "gold")  # the run's next session
    assert again.correct == 3


def test_without_a_mount_the_cap_is_checked_after_each_command(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(swe_session, "DiskCap", functools.partial(DiskCap, mount=False))
    track = get_track("swe")
    scenario = track.generate(5, None, **THREE)
    code, specs, reads = unpack(scenario)
    bugged = apply_all(code.source, [_mutation(s) for s in specs])
    texts = [e.text for e in scenario.events]
    session = SweSession(
        code, bugged, specs, texts, reads, SandboxLimits(disk_mb=8), issues(scenario)
    )
    try:
        assert session.disk.kind == "check"
        small = session.call(call("s", "bash", command="head -c 3000000 /dev/zero > a; echo ok"))
        assert small.startswith("ok") and not session.ended  # 3 MB: under the cap
        result = session.call(call("f", "bash", command=FLOOD))
        assert "cut" not in result  # nothing stopped the writes: the check comes after
        assert "[the session is over: the session's disk cap (8 MiB" in result
        assert session.call(call("x", "bash", command="ls")).startswith(
            "error: the session is over"
        )
        assert session.reply(AgentTurn("done")) is None
        assert [o.reward for o in session.outcomes()] == [0.0, 0.0, 0.0]
    finally:
        session.close()
    assert not session.root.exists()


def test_a_tmpfs_cap_stops_the_writes_inside_the_command() -> None:
    track = get_track("swe")
    scenario = track.generate(5, None, **THREE)
    session = track.open(scenario)
    assert isinstance(session, SweSession)
    try:
        if session.disk.kind != "tmpfs":
            pytest.skip("the session's folder could not be mounted (not root)")
        result = session.call(call("f", "bash", command=FLOOD))
        assert "No space left on device" in result and "cut" in result
        assert session.disk.used() <= 64 * 1024 * 1024
        assert session.ended
    finally:
        session.close()


def test_a_command_past_the_memory_cap_is_killed_and_told_so(tmp_path: Path) -> None:
    box = Sandbox(tmp_path, SandboxLimits(total_memory_mb=256))
    try:
        if box.memory.kind != "cgroup":
            pytest.skip("no writable memory cgroup: only RLIMIT_AS per process holds")
        hog = 'python3 -c "b = bytearray(120 * 2**20); import time; time.sleep(1)"'
        result = box.shell(f"for i in 1 2 3; do {hog} & done; wait; echo waited").render()
        assert "reached the memory cap (256 MiB)" in result and "Killed" in result
        assert box.shell(hog + " && echo one fits").render().startswith("one fits")
    finally:
        box.close()


def _mounted(path: Path) -> bool:
    return any(
        line.split()[1] == str(path) for line in Path("/proc/mounts").read_text().splitlines()
    )
