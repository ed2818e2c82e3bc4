"""``memgym eval --protocol smoke`` on all seven tracks against ``memgym serve`` over real HTTP,
with no API key: tau2 runs from τ²-bench's own venv (``MEMGYM_TAU2_PYTHON``, the venv's
python; CI sets it) with ``--tracks tau2``, this venv runs the other six with ``--resume``, and
the entry covers every track, is schema-valid, and is the same byte for byte when the second
part is killed half-way (SIGKILL) and resumed.

``memgym serve`` answers an interactive agent's turn as the ``noop`` agent would, so the
interactive tracks' sessions run end to end (calls, tokens, the verifier) and solve nothing:
their scores are undefined (``full`` gains nothing over ``none``), which the entry says with
``null``. The stream tracks' scores are ``test_eval.py``'s.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
from pathlib import Path

import jsonschema
import pytest

from memgym.cli import main
from memgym.protocol.engines import missing
from memgym.protocol.entry import SCHEMA_PATH
from memgym.protocol.spec import SMOKE
from memgym.serve import running
from tests.cli_process import env, kill_once_stored, start, stored

TAU2_PYTHON = os.environ.get("MEMGYM_TAU2_PYTHON", "")
STREAMS = [plan.track for plan in SMOKE.tracks]
SESSIONS = [plan.track for plan in SMOKE.sessions]
HERE = [t for t in SMOKE.track_names if t != "tau2"]
TAU2_EPISODES = SMOKE.episodes_of(("tau2",))

pytestmark = [
    pytest.mark.skipif(
        not TAU2_PYTHON or not Path(TAU2_PYTHON).is_file(),
        reason="set MEMGYM_TAU2_PYTHON to the python of a venv with .[tau2] (CI does)",
    ),
    pytest.mark.skipif(bool(missing(HERE)), reason="; ".join(missing(HERE))),
]


@pytest.fixture(scope="module")
def server():
    with running() as served:
        yield served


def eval_args(server, folder: Path, *extra: str) -> list[str]:
    return [
        "eval", "--model", "memgym-scripted", "--base-url", server.base_url,
        "--protocol", "smoke", "--results", str(folder / "r.sqlite"),
        "--entry", str(folder / "entry.json"), "--report", str(folder / "report.html"), *extra,
    ]  # fmt: skip


def run_tau2(server, folder: Path) -> dict:
    """The tau2 part, from τ²-bench's venv: its entry (tau2 only)."""
    done = subprocess.run(
        [TAU2_PYTHON, "-m", "memgym", *eval_args(server, folder, "--tracks", "tau2", "--resume")],
        env={**env(), "LITELLM_LOCAL_MODEL_COST_MAP": "True"},
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads((folder / "entry.json").read_text())


@pytest.fixture(scope="module")
def clean(server, tmp_path_factory):
    """tau2 from its venv, then the rest here with ``--resume``: (folder, tau2's entry, a copy
    of the results file holding only the tau2 part)."""
    folder = tmp_path_factory.mktemp("all")
    tau2_entry = run_tau2(server, folder)
    after_tau2 = folder / "after-tau2.sqlite"
    shutil.copy(folder / "r.sqlite", after_tau2)
    assert main(eval_args(server, folder, "--resume")) == 0
    return folder, tau2_entry, after_tau2


def test_the_entry_covers_all_seven_tracks_and_is_schema_valid(clean):
    folder, tau2_entry, _ = clean
    data = json.loads((folder / "entry.json").read_text())
    jsonschema.validate(data, json.loads(SCHEMA_PATH.read_text()))
    assert [t["track"] for t in data["tracks"]] == STREAMS + SESSIONS
    assert len(data["tracks"]) == 7 and data["left_out"] == []
    assert data["complete"] and data["episodes"]["done"] == SMOKE.episodes == 28 + 3 * 5
    assert data["session_strategies"] == list(SMOKE.session_strategies)
    for track in data["tracks"]:
        session = track["track"] in SESSIONS
        assert track["ceiling"] == ("full" if session else "oracle")
        assert track["tokens"]["calls"] > 0 and track["tokens"]["prompt"] > 0
        if not session:
            assert track["score"] is not None and track["estimated"]["calls"] > 0
            continue
        # serve plays noop: every session ran, its tasks were verified, none was solved
        assert track["estimated"] is None and track["scored"] > 0 and track["leaked"] == 0
        assert [m["memory"] for m in track["memories"]] == list(SMOKE.session_memories)
        assert all(m["accuracy"] == 0.0 for m in track["memories"])
        assert track["score"] is None and track["ci_low"] is None
    # the part run in τ²-bench's venv wrote an entry of its own, saying what it left out
    assert [t["track"] for t in tau2_entry["tracks"]] == ["tau2"]
    assert tau2_entry["left_out"] == HERE and tau2_entry["complete"]
    assert tau2_entry["episodes"]["planned"] == TAU2_EPISODES
    assert tau2_entry["tracks"][0] == data["tracks"][STREAMS.__len__()]


def test_killed_half_way_and_resumed_gives_the_same_entry_byte_for_byte(server, clean, tmp_path):
    """Killed once its interactive sessions have begun (the stream tracks run first), so the
    resumed run has sessions of swe and web left, and estimates only those."""
    folder, _, after_tau2 = clean
    killed_at = TAU2_EPISODES + len(SMOKE.tracks) * len(SMOKE.memories) + 2
    results = tmp_path / "r.sqlite"
    shutil.copy(after_tau2, results)
    child = start(*eval_args(server, tmp_path, "--resume"))
    kill_once_stored(child, results, killed_at, 240)
    assert child.returncode == -signal.SIGKILL
    assert killed_at <= stored(results) < SMOKE.episodes
    assert not (tmp_path / "entry.json").exists()
    assert (tmp_path / "r.sqlite.journal.sqlite").is_file()  # the sessions' calls, kept
    assert main(eval_args(server, tmp_path, "--resume")) == 0
    assert stored(results) == SMOKE.episodes
    assert (tmp_path / "entry.json").read_bytes() == (folder / "entry.json").read_bytes()


def test_a_missing_engine_is_one_line_each_before_anything_runs(server, tmp_path, capsys):
    """This venv's missing engine (tau2's, unless τ²-bench is installed here too) stops the run
    before any episode or any results file, naming what to install and what to run instead."""
    lacking = missing(SMOKE.track_names)
    if not lacking:
        pytest.skip("every engine is installed in this venv")
    capsys.readouterr()
    assert main(eval_args(server, tmp_path)) == 2
    err = capsys.readouterr().err
    for line in lacking:
        assert f"error: {line}" in err
    assert "--tracks " + " ".join(t for t in SMOKE.track_names if t + ":" not in err) in err
    assert not (tmp_path / "r.sqlite").exists()
