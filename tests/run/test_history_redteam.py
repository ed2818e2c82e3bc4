"""The interactive path's boundary holds: a plugin memory compacting an agent's history in the
sandboxed worker (``tests/run/redteam_history_plugins.py``: ``snoop``) reads no results file,
no task gold, no task folder and no app state, reaches no server on this machine, gets no
variable of the evaluator's and is handed nothing but the messages. The same plugin in a plain
worker process (no sandbox) reads the gold file and the apps' states, the episode's own web app
among them (so the test can fail)."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from memgym.run.runner import run_item
from memgym.run.sandbox import PROCESS, SANDBOX, _bwrap
from memgym.run.work import WorkItem
from memgym.tracks.web.server import AppServer
from memgym.types import EpisodeResult
from tests.engines import needs

pytestmark = [
    pytest.mark.skipif(_bwrap() is None, reason="needs bubblewrap (the sandbox)"),
    needs("web"),
]

PLUGIN = "tests.run.redteam_history_plugins"
GOLD = "gold-7c1f: the hidden answer"
SECRET_KEY = "sk-red-team-history-not-a-real-key"


@pytest.fixture(scope="module")
def host(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """On the host: a gold file, an honest results file, and a web app whose state holds the
    gold (the host reads it: the attack's target is real)."""
    folder = tmp_path_factory.mktemp("host")
    gold, results = folder / "gold.txt", folder / "results.db"
    gold.write_text(GOLD)
    from memgym.cli import main

    argv = ["run", "--track", "entities", "--tier", "lite", "--seeds", "1", "--memory", "full",
            "--reasoner", "scripted", "--results", str(results)]  # fmt: skip
    assert main(argv) == 0
    app = AppServer("<html></html>", {"gold": GOLD})
    try:
        from tests.run.redteam_history_plugins import app_state

        port = int(app.url.rsplit(":", 1)[1].strip("/"))
        assert GOLD in (app_state(port) or "")
        yield {"gold": gold, "results": results, "port": port}
    finally:
        app.close()


def snooped(track: str, spec: str) -> tuple[EpisodeResult, dict[str, Any]]:
    """One episode of ``track`` with memgym's ``context`` agent and ``spec`` compacting its
    history, the way ``memgym run --plugin`` runs it; the snoop's report."""
    item = WorkItem(track, "lite", 0, (), spec, "context", plugins=(PLUGIN,))
    result = run_item(item)
    assert result.status == "ok", result.reason
    (record,) = [c for c in result.compactions if c.strategy == "snoop"]
    report: dict[str, Any] = json.loads(record.after[0].content)
    return result, report


def spec(host: dict[str, Any], walk: bool = True) -> str:
    probe = ";".join(map(str, (host["gold"], host["results"], tempfile.gettempdir(), Path.home())))
    return f"snoop:probe={probe},port={host['port']},walk={str(walk).lower()}"


@pytest.mark.parametrize("track", ["web", "swe"])
def test_a_history_plugin_sees_only_the_messages(
    track: str, host: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", SECRET_KEY)
    result, report = snooped(track, spec(host))
    assert result.boundary == SANDBOX and result.questions > 0
    assert GOLD not in json.dumps(report) and SECRET_KEY not in json.dumps(report)
    assert set(report["probe"].values()) <= {"FileNotFoundError", ""}  # nothing there, or empty
    assert report["outside_runtime"] == []  # its scratch and /tmp are empty tmpfs folders
    assert report["ports"] == [host["port"]] and report["states"] == {}  # nothing listens
    assert report["params"] == {} and report["uid"] != 0
    assert "OPENAI_API_KEY" not in report["env"]


@pytest.mark.usefixtures("unsandboxed")
def test_in_a_plain_process_the_same_plugin_reads_the_gold_and_the_apps(
    host: dict[str, Any],
) -> None:
    result, report = snooped("web", spec(host, walk=False))
    assert result.boundary == PROCESS
    assert report["probe"][str(host["gold"])] == GOLD
    assert GOLD in report["states"][str(host["port"])]
    # the episode's own web app was listening too, its state readable
    assert len([s for s in report["states"].values() if GOLD not in s]) >= 1
