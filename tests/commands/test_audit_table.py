"""``memgym audit``'s table through a pipe at 80 and 100 columns: printed, and no label cut (the
worst cheat's name, the ablation headers), whatever gives way."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.cli_process import env

ARGV = ["audit", "--track", "codeqa", "--tier", "lite", "--seeds", "2"]


def audit(*extra: str, columns: int = 200) -> subprocess.CompletedProcess:
    """``memgym audit`` with its output piped, at ``columns`` columns."""
    return subprocess.run(
        [sys.executable, "-m", "memgym", *ARGV, *extra],
        env={**env(), "COLUMNS": str(columns)}, capture_output=True, text=True, timeout=300,
        check=False,
    )  # fmt: skip


@pytest.fixture(scope="module")
def worst():
    """The worst cheat and its score, from the audit's JSON."""
    row = json.loads(audit("--json").stdout)["rows"][0]
    name = max(row["cheats"], key=lambda n: row["cheats"][n])
    return name, row["cheats"][name]


@pytest.mark.parametrize("columns", [80, 100])
def test_the_piped_table_cuts_no_label(worst, columns):
    done = audit(columns=columns)
    out = done.stdout
    assert "memgym audit: codeqa / lite / 2 seeds" in out, (done.stdout, done.stderr)
    assert "…" not in out
    assert all(len(line) <= columns for line in out.splitlines()), out
    name, score = worst
    assert f"{score:.3f} {name}" in " ".join(out.split())
    for header in ("oracle", "none", "distractors", "max_tokens=8000"):
        assert header in out, header


def test_the_help_says_the_gates_need_ten_seeds():
    done = subprocess.run([sys.executable, "-m", "memgym", "audit", "--help"], env=env(),
                          capture_output=True, text=True, check=False)  # fmt: skip
    text = " ".join(done.stdout.split())
    assert "the gates need 10 or more to be trusted" in text
    assert "hold on means over 10 or more seeds" in text
