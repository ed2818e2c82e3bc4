"""`memgym report`: writes one HTML file; bad input is one clear line and exit code 2."""

from __future__ import annotations

from memgym.cli import main


def test_report_command_writes_the_page(stored, tmp_path, capsys):
    out = tmp_path / "r.html"
    assert main(["report", str(stored.path), "-o", str(out), "--resamples", "50"]) == 0
    html = out.read_text()
    assert html.startswith("<!DOCTYPE html>") and 'id="leaderboard"' in html
    assert "report written to" in capsys.readouterr().err


def test_report_command_errors(stored, tmp_path, capsys):
    cases = [
        ([str(tmp_path / "missing.sqlite")], "no results file"),
        ([str(stored.path), "--run", "42"], "no run 42"),
        ([str(stored.path), "-o", str(tmp_path / "nope" / "r.html")], "no folder"),
        ([str(stored.path), "--resamples", "0"], "--resamples must be at least 1"),
    ]
    for argv, message in cases:
        assert main(["report", *argv]) == 2
        assert message in " ".join(capsys.readouterr().err.split())
