"""What the agent's own module can do when the hidden tests run it (review of the swe track):
read the probes from the runner's frames, keep them in the working directory, stop the runner
with a ``chmod``, or be a link to a host file; and the issue #1 report a ``none`` memory kept
pinned. Each attack is tried on the real sandbox."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from memgym.interactive.agents import Agent
from memgym.interactive.episode import evaluate_interactive
from memgym.tracks import get_track
from memgym.tracks.session import AgentTurn, ChatMessage, call
from memgym.tracks.swe.hidden import DECOYS
from tests.engines import needs

pytestmark = needs("swe")
TWO = {"codebase": "colorsys", "tasks": 2, "redo": 0, "target_tokens": 0}

SNOOP = """
import json as _j, sys as _s
_seen = []
_f = _s._getframe()
while _f is not None:
    _r = _f.f_locals.get("request")
    if isinstance(_r, dict) and "probes" in _r:
        _seen = list(_r["probes"])
    _f = _f.f_back
for _where in ("/repo/leak.txt", "leak.txt", "/tmp/leak.txt"):
    try:
        open(_where, "w").write(_j.dumps(_seen))
    except OSError:
        pass
"""
"""Prepended to the module: at import it finds the runner's request in the stack and tries to
keep the probes it holds where the next issue could read them."""


def test_the_module_under_test_sees_its_probes_only_among_decoys_and_keeps_nothing() -> None:
    track = get_track("swe")
    scenario = track.generate(5, None, **TWO)
    session = track.open(scenario)
    try:
        module = session.tree / session.code.filename
        module.write_text(SNOOP + module.read_text())
        session.sandbox.own()
        tests = session.specs[0].hidden_tests()
        sent, where = session.verifier.mixed(tests)
        assert [sent[i] for i in where] == [t.probe for t in tests]
        assert len(sent) == len(tests) * (1 + DECOYS) and len(set(sent)) == len(sent)
        assert {p for p in sent if p not in {t.probe for t in tests}} <= set(
            session.code.codebase.probes
        )
        orders = {tuple(session.verifier.mixed(tests)[0]) for _ in range(5)}
        assert len(orders) > 1  # shuffled afresh on every run
        session.reply(AgentTurn("done"))  # the hidden tests run the snooping module
        assert not (session.tree / "leak.txt").exists()  # nothing written survives the run
        listing = session.call(call("l", "bash", command="ls -a /repo; cat /tmp/leak.txt"))
        assert "leak.txt" not in listing.split("[exit code")[0].replace("/tmp/leak.txt", "")
        assert session.results[0].status == "ok"
    finally:
        session.close()


def test_chmod_of_the_working_directory_cannot_make_a_task_an_infra_error() -> None:
    """Before, the runner started in /repo: ``chmod 000 /repo`` made it fail to start, and the
    task (and every later one) became an excluded ``infra_error``."""
    track = get_track("swe")
    session = track.open(track.generate(5, None, **TWO))
    try:
        session.call(call("c", "bash", command="chmod 000 /repo"))
        assert session.reply(AgentTurn("done")) is not None  # the next issue comes
        session.reply(AgentTurn("done"))
        outcomes = session.outcomes()
    finally:
        session.close()
    assert [o.status for o in outcomes] == ["ok", "ok"]
    assert all(o.reward == 0.0 and "hidden tests pass" in o.detail for o in outcomes)


def test_a_module_linked_to_a_host_file_is_not_read_and_scores_zero(tmp_path) -> None:
    track = get_track("swe")
    session = track.open(track.generate(5, None, **TWO))
    secret = tmp_path / "host.txt"
    secret.write_text("the host's own file")
    try:
        module = session.tree / session.code.filename
        module.unlink()
        module.symlink_to(secret)
        session.reply(AgentTurn("done"))
        (outcome,) = session.results
    finally:
        session.close()
    assert outcome.status == "ok" and outcome.reward == 0.0
    assert "a link" in outcome.detail


def test_malformed_tool_arguments_are_refused_and_the_session_goes_on() -> None:
    track = get_track("swe")
    session = track.open(track.generate(5, None, **TWO))
    try:
        calls = [
            ("bash", {"command": "echo a\x00b"}),
            ("bash", {"command": "echo \ud800"}),
            ("edit", {"path": "a\x00b", "old": "x", "new": "y"}),
            ("edit", {"path": "\ud800", "old": "x", "new": "y"}),
            ("edit", {"path": session.code.filename, "old": "def ", "new": "\ud800"}),
        ]
        results = [session.call(call(f"m{i}", n, **a)) for i, (n, a) in enumerate(calls)]
        alive = session.call(call("ok", "bash", command="echo alive"))
    finally:
        session.close()
    assert all(r.startswith("error:") for r in results), results
    assert "alive" in alive


class Recorder(Agent):
    """Says every issue is done at once, appending every view it is shown to a file (the loop
    refuses an agent that keeps Python state across turns)."""

    name = "recorder"

    def __init__(self, log: Path) -> None:
        self.log = str(log)

    def act(self, messages: Sequence[ChatMessage], tools: Sequence[dict[str, Any]]) -> AgentTurn:
        with open(self.log, "a", encoding="utf-8") as out:
            out.write(json.dumps(list(messages)) + "\n")
        return AgentTurn("done")


def test_under_none_the_redo_of_issue_1_finds_its_report_in_no_pinned_text(tmp_path: Path) -> None:
    """Issue #1 used to be the pinned first user message, so a memory of nothing kept the whole
    report (the call, what it gives, what it should) in view at its redo."""
    track = get_track("swe")
    scenario = track.generate(5, None, codebase="colorsys", tasks=2, redo=2, target_tokens=0)
    first = scenario.events[0].text
    assert "should" in first and "Issue #1" in first
    log = tmp_path / "views.jsonl"
    evaluate_interactive(track, scenario, "none", Recorder(log))
    views = [json.loads(line) for line in log.read_text().splitlines()]
    redo_views = [v for v in views if "Make the fix of issue" in json.dumps(v)]
    assert redo_views
    assert not any(first in (m.get("content") or "") for v in redo_views for m in v)
