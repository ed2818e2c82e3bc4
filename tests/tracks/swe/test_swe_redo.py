"""Redo issues, the swe track's memory-sensitive tasks: the fix they ask for is in no file of
the reset tree and in no issue text, only in the history; remembering nothing, re-exploring the
world or keeping notes in it earns none of them (and each of those wins where its way in is
open: re-exploring on the fix issues, notes when the reset leaves other files)."""

from __future__ import annotations

import json

import pytest

from memgym.interactive.episode import evaluate_interactive
from memgym.tracks import get_track
from memgym.tracks.session import AgentTurn, ToolCall
from memgym.tracks.swe.mutations import apply_all
from memgym.tracks.swe.redo import REDO, fix_needle
from memgym.tracks.swe.session import SweSession
from memgym.tracks.swe.track import _mutation, issues, unpack
from memgym.types import Scenario
from tests.engines import needs

SMALL = {"tasks": 2, "redo": 2, "target_tokens": 0}
"""Two fixes and their two redos, no padding reads: a session of seconds."""


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return get_track("swe").generate(5, **SMALL)


def test_a_redo_needs_a_fix_that_only_the_history_holds(scenario: Scenario) -> None:
    code, specs, _ = unpack(scenario)
    order = issues(scenario)
    assert [(i.kind, i.spec) for i in order] == [("fix", 0), ("fix", 1), ("redo", 0), ("redo", 1)]
    bugged = apply_all(code.source, [_mutation(s) for s in specs])
    for number, issue in enumerate(order, 1):
        if issue.kind != REDO:
            continue
        spec, text = specs[issue.spec], scenario.events[number - 1].text
        assert f"fix of issue #{issue.spec + 1} again" in text
        assert spec.issue[0] not in text and spec.function.split(".")[-1] not in text
        assert spec.new not in bugged and spec.old in bugged  # the reset tree shows the bug only
        # what the context probe needs is the edit as written in the earlier issue's call
        edit = json.dumps({"new": spec.new, "old": spec.old}, sort_keys=True)
        assert fix_needle(spec) in edit and fix_needle(spec) not in json.dumps(bugged)


@needs("swe")
def test_memory_decides_the_redos_and_no_memory_cheat_gets_them(
    scenario: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    track = get_track("swe")

    def run(memory: str, agent: str) -> tuple[int, int]:
        result = evaluate_interactive(track, scenario, memory, agent)
        return result.correct, int(result.usage["setup_solved"])

    assert run("full", "gold") == (2, 2)
    assert run("full", "noop") == (0, 0)
    assert run("full", "context") == (2, 2)
    assert run("none", "context")[0] == 0
    assert run("none", "swe-explore") == (0, 2)  # exploring fixes the bugs it can still find
    assert run("none", "swe-stash") == (0, 2)  # its notes in the directory die with the reset

    def module_only(self: SweSession) -> None:  # a reset that leaves the other files
        (self.tree / self.code.filename).write_text(self.bugged, encoding="utf-8")
        self.sandbox.own()
        self._before = self.bugged

    monkeypatch.setattr(SweSession, "_reset", module_only)
    assert run("none", "swe-stash") == (2, 2)  # then the notes win every redo
    assert run("none", "swe-explore") == (0, 2)


@needs("swe")
def test_the_reset_before_a_redo_leaves_the_bugged_module_alone(scenario: Scenario) -> None:
    track = get_track("swe")
    code, specs, _ = unpack(scenario)
    session = track.open(scenario)
    assert isinstance(session, SweSession)
    root = session.root
    try:
        module = code.filename
        hide = (f"mkdir -p notes/deep && cp {module} notes/deep/ && echo kept > .hidden && "
                "ln -s /etc etc-link && chmod 000 notes/deep && chmod 500 notes && echo ok")  # fmt: skip
        assert session.call(ToolCall("h", "bash", json.dumps({"command": hide}))).startswith("ok")
        session.call(ToolCall("e", "edit", json.dumps({"path": module, "old": specs[0].old,
                                                       "new": specs[0].new})))  # fmt: skip
        for _ in specs:  # the fix issues end; the first redo begins
            session.reply(AgentTurn("done"))
        listing = session.call(ToolCall("l", "bash", json.dumps({"command": "ls -A"})))
        assert listing.split("\n")[0] == module and "notes" not in listing
        assert session.tree.joinpath(module).read_text() == apply_all(
            code.source, [_mutation(s) for s in specs]
        )  # the fix made in issue 1 is gone too
        assert [p.name for p in root.iterdir()] == ["work"]  # the old tree removed, not parked
    finally:
        session.close()
    assert not root.exists()
