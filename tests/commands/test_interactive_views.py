"""Every view of an interactive comparison speaks of tasks, not questions: compare's table and
JSON, ``results`` and its leaderboard, and the HTML report (task reward, `full` as the ceiling,
isolated scores with CIs, task outcome classes; no oracle, closed-book probe or question axes)."""

from __future__ import annotations

import json
import sqlite3
from collections import Counter

import pytest

from tests.cli_process import memgym
from tests.engines import needs

pytestmark = needs("swe")

QUESTION_WORDS = ("oracle right", "scored questions", "leaked closed-book", "closed-book probe",
                  "reasoner context", "Composite = 0.30", "Per-axis scores")  # fmt: skip


@pytest.fixture(scope="module")
def swe_compare(tmp_path_factory):
    """One swe comparison (none, full, window) in a results file; what compare printed."""
    path = tmp_path_factory.mktemp("views") / "r.sqlite"
    argv = ["compare", "--track", "swe", "--seeds", "1", "--memories", "window:max_tokens=4000",
            "--results", str(path)]  # fmt: skip
    done = memgym(*argv)
    assert done.returncode == 0, done.stderr
    return path, done.stdout


def stored_outcomes(path) -> dict[str, Counter]:
    """memory -> solved/failed counts, recomputed from the stored answers."""
    counts: dict[str, Counter] = {}
    with sqlite3.connect(path) as db:
        for memory, correct, status in db.execute(
            "SELECT e.memory, a.correct, a.status FROM answers a JOIN episodes e"
            " ON a.episode_id = e.id"
        ):
            outcome = "solved" if correct else ("failed" if status == "ok" else status)
            counts.setdefault(memory, Counter())[outcome] += 1
    return counts


def test_compare_prints_task_words_and_the_stored_outcomes(swe_compare):
    path, out = swe_compare
    text = " ".join(out.split())
    assert "agent context" in text and "full is the ceiling" in text
    assert "task reward" in out.replace("\n", " ") or "task\nreward" in out
    for word in QUESTION_WORDS:
        assert word not in text, word
    outcomes = stored_outcomes(path)
    assert set(outcomes) == {"none", "full", "window:max_tokens=4000"}
    for memory, label in (("none", "none"), ("full", "full"), ("window:max_tokens=4000", "window")):
        line = next(li for li in out.splitlines() if li.startswith(label + " "))
        expected = ", ".join(f"{n} {c}" for c, n in sorted(outcomes[memory].items(),
                             key=lambda kv: ("solved", "failed").index(kv[0])))  # fmt: skip
        assert line.rstrip().endswith(expected), (line, expected)


def test_results_and_the_leaderboard_name_the_agent_and_the_tier(swe_compare):
    path, _ = swe_compare
    listing = memgym("results", str(path))
    assert listing.returncode == 0 and "agent context" in listing.stdout
    assert "scripted" not in listing.stdout.split("policy")[1].split("\n", 2)[2]
    board = memgym("results", str(path), "--leaderboard")
    text = " ".join(board.stdout.split())
    assert "leaderboard: swe / lite" in text and "task reward" in text and "/ ?" not in text
    assert text.count("agent context") == 3


def test_the_html_report_shows_what_the_terminal_printed(swe_compare, tmp_path):
    path, out = swe_compare
    html_path = tmp_path / "report.html"
    done = memgym("report", str(path), "-o", str(html_path))
    assert done.returncode == 0, done.stderr
    html = html_path.read_text()
    for word in QUESTION_WORDS + ("Needs runs of",):
        assert word not in html, word
    assert "task outcomes" in html and "full, the whole history, is the ceiling" in html
    assert "the mean task reward" in html
    # the isolated scores and CIs the terminal printed are in the report's table
    for line in out.splitlines():
        if line.startswith(("window ", "full ", "none ")):
            cells = line.split()
            label_width = 2 if line.startswith("window ") else 1
            reward, solved, isolated, low, high = cells[label_width : label_width + 5]
            row = f"<td>{reward}</td><td>{solved}</td><td>{isolated}</td><td>{low} {high}</td>"
            assert row in html, row


def test_compare_json_is_interactive(tmp_path):
    argv = ["compare", "--track", "swe", "--seeds", "1", "--memories", "window:max_tokens=4000",
            "--results", str(tmp_path / "j.sqlite"), "--json"]  # fmt: skip
    done = memgym(*argv)
    data = json.loads(done.stdout)
    assert data["interactive"] is True and data["ceiling"] == "full"
    assert "closed_book_usage" not in data and "leaked" not in data
    rows = {r["memory"]: r for r in data["memories"]}
    assert rows["full"]["task_reward"] == 1.0 and rows["none"]["outcomes"]
