"""Without bubblewrap (Debian's sandbox for every command of a session) each command that would
run swe sessions says so in one line before any work, rather than a traceback or a run of
``infra_error`` episodes. No skip: bubblewrap's absence is what is tested."""

from __future__ import annotations

from pathlib import Path

import pytest

from memgym.cli import main
from memgym.tracks.swe import track as swe_track
from memgym.tracks.swe.sandbox import INSTALL_HINT


@pytest.mark.parametrize(
    "argv",
    [
        ["run", "--track", "swe", "--seeds", "1", "--results", "{d}/r.sqlite"],
        ["compare", "--track", "swe", "--seeds", "1", "--results", "{d}/r.sqlite"],
        ["audit", "--track", "swe", "--seeds", "1"],
        ["rm", "interactive", "--track", "swe", "--memories", "window:max_tokens=800",
         "--seeds", "1", "--out", "{d}/rows.jsonl"],
    ],
    ids=["run", "compare", "audit", "rm-interactive"],
)  # fmt: skip
def test_without_bubblewrap_a_command_is_one_line_before_any_work(
    argv: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    monkeypatch.setattr(swe_track, "bwrap", lambda: None)  # as on a machine without bubblewrap
    assert main([a.format(d=tmp_path) for a in argv]) == 2
    err = capsys.readouterr().err.strip()
    assert err.splitlines() == [f"error: {INSTALL_HINT}"]
    assert "apt-get install bubblewrap" in INSTALL_HINT
    assert list(tmp_path.iterdir()) == []  # no results file, no rows file
