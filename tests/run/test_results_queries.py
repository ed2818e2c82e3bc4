"""Results file queries: leaderboard, JSONL/CSV export, the calls table, `memgym results`."""

from __future__ import annotations

import csv
import json
import math
import sqlite3
from statistics import mean, stdev

import pytest

from memgym.cli import main
from memgym.run.export import export
from memgym.run.results import ResultsStore

SEEDS = 3


@pytest.fixture(scope="module")
def results_file(tmp_path_factory):
    """A real `memgym run` of two policies over three seeds."""
    path = tmp_path_factory.mktemp("results") / "r.sqlite"
    argv = ["run", "--tier", "lite", "--seeds", str(SEEDS), "--policies", "strategic,naive"]
    assert main([*argv, "--results", str(path)]) == 0
    return path


def episodes(path):
    with ResultsStore(path) as store:
        return list(store.episodes(compactions=False))


def test_leaderboard_is_mean_and_standard_error_over_seeds(results_file):
    rows = episodes(results_file)
    with ResultsStore(results_file) as store:
        board = store.leaderboard()
    assert len(board) == 2
    for row in board:
        values = [r.composite for r in rows if r.memory == row["memory"]]
        acc = [r.accuracy for r in rows if r.memory == row["memory"]]
        assert (row["seeds"], row["episodes"], row["track"]) == (SEEDS, SEEDS, "entities")
        assert row["composite"] == pytest.approx(mean(values))
        assert row["composite_se"] == pytest.approx(stdev(values) / math.sqrt(SEEDS))
        assert row["accuracy"] == pytest.approx(mean(acc))
    assert board[0]["composite"] >= board[1]["composite"]


def test_runs_with_other_parameters_or_a_salt_are_ranked_apart(tmp_path, monkeypatch, capsys):
    """One policy run three ways into one file: the tier as it is, a tighter write budget, and
    salted seeds. Each is a setup of its own (review: they were averaged into one row)."""
    path = tmp_path / "setups.sqlite"
    argv = ["run", "--tier", "lite", "--seeds", "2", "--policies", "strategic"]
    assert main([*argv, "--results", str(path)]) == 0
    assert main([*argv, "--param", "write_budget=2", "--results", str(path)]) == 0
    monkeypatch.setenv("MEMGYM_SALT", "a secret of the held-out set")
    assert main([*argv, "--results", str(path)]) == 0
    monkeypatch.delenv("MEMGYM_SALT")
    with ResultsStore(path) as store:
        board = store.leaderboard()
        runs = {row["runs"][0]: row for row in board}
        stored = {i: list(store.episodes(i, compactions=False)) for i in (1, 2, 3)}
    assert sorted(runs) == [1, 2, 3] and all(len(row["runs"]) == 1 for row in board)
    for run_id, row in runs.items():  # each row is its own run's episodes, recomputed
        mine = [r.composite for r in stored[run_id]]
        assert row["composite"] == pytest.approx(mean(mine)) and row["seeds"] == 2
    assert (runs[1]["setup"], runs[2]["setup"], runs[3]["setup"]) == ("", "write_budget=2", "")
    assert runs[1]["salt"] == [""] and runs[3]["salt"] != [""]
    assert runs[2]["rank"] == 1  # ranked in a table of its own
    capsys.readouterr()
    assert main(["results", str(path), "--leaderboard"]) == 0
    assert "leaderboard: entities / lite (write_budget=2)" in capsys.readouterr().out


def test_an_infra_error_episode_makes_its_run_incomplete_and_unranked(results_file, tmp_path):
    copy = tmp_path / "copy.sqlite"
    with sqlite3.connect(results_file) as src, sqlite3.connect(copy) as dst:
        src.backup(dst)
    with ResultsStore(copy) as store:
        before = store.leaderboard()
        assert all(row["complete"] for row in before)
        broken = next(store.episodes())
        broken.status = "infra_error"
        broken.composite = 0.0
        store.add_episode(1, broken, "another-key")
        assert store.status(1).describe() == "incomplete: 1 infra_error"
        assert store.leaderboard() == []  # only complete runs are ranked by default
        flagged = store.leaderboard(include_incomplete=True)
        # the infra_error episode itself is still left out of every figure
        assert [{**r, "complete": True} for r in flagged] == before
        assert not any(r["complete"] for r in flagged)


def test_export_jsonl_and_csv_hold_every_episode(results_file, tmp_path):
    rows = episodes(results_file)
    with ResultsStore(results_file) as store:
        assert export(store, tmp_path / "e.jsonl") == len(rows)
        assert export(store, tmp_path / "e.csv") == len(rows)
    lines = [json.loads(x) for x in (tmp_path / "e.jsonl").read_text().splitlines()]
    assert [x["composite"] for x in lines] == [r.composite for r in rows]
    assert [len(x["answers"]) for x in lines] == [len(r.answers) for r in rows]
    assert {x["run_id"] for x in lines} == {1}
    with open(tmp_path / "e.csv", newline="") as f:
        table = list(csv.DictReader(f))
    assert [float(x["composite"]) for x in table] == [r.composite for r in rows]
    assert [float(x["axis_breadth"]) for x in table] == [r.axes["breadth"] for r in rows]
    assert [json.loads(x["params"]) for x in table] == [r.params for r in rows]


def test_calls_table_keeps_usage_and_old_files_still_open(results_file, tmp_path):
    copy = tmp_path / "old.sqlite"
    with sqlite3.connect(results_file) as src, sqlite3.connect(copy) as dst:
        src.backup(dst)
        dst.execute("DROP TABLE calls")  # a file written before the calls table existed
    with ResultsStore(copy) as store:
        assert len(list(store.episodes())) == len(episodes(results_file))
        result = next(store.episodes())
        result.usage = {"calls": 3.0, "prompt_tokens": 120.0}
        store.add_episode(1, result, "with-usage")
        rows = store.db.execute(
            "SELECT metric, value FROM calls JOIN episodes e ON e.id = calls.episode_id"
            " WHERE e.key = 'with-usage' ORDER BY metric"
        ).fetchall()
    assert rows == [("calls", 3.0), ("prompt_tokens", 120.0)]


def test_results_cli_leaderboard_export_and_errors(results_file, tmp_path, capsys):
    assert main(["results", str(results_file), "--leaderboard", "--json"]) == 0
    with ResultsStore(results_file) as store:
        printed = json.loads(capsys.readouterr().out)
        assert printed == {"rows": store.leaderboard(), "incomplete_runs_left_out": []}
    out = tmp_path / "x.csv"
    assert main(["results", str(results_file), "--export", str(out), "--run", "1"]) == 0
    assert len(out.read_text().splitlines()) == 1 + 2 * SEEDS
    assert main(["results", str(results_file), "--leaderboard"]) == 0
    assert "strategic" in capsys.readouterr().out
    for argv, message in (
        (["--export", str(tmp_path / "x.txt")], "name it .jsonl or .csv"),
        (["--run", "99"], "no run 99"),
        (["--format", "csv"], "--format needs --export"),
    ):
        assert main(["results", str(results_file), *argv]) == 2
        assert message in " ".join(capsys.readouterr().err.split())
    assert not (tmp_path / "x.txt").exists()
