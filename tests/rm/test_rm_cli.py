"""``memgym rm``: build, train, eval (with the SQLite predictions table), score and rank."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from memgym.cli import main
from memgym.rm.rows import read_jsonl


def _rank(model: Path, *extra: str) -> int:
    """``memgym rm rank --model MODEL EXTRA...``: its exit code."""
    return main(["rm", "rank", "--model", str(model), *extra])


def test_train_eval_score_rank(quick_data: tuple[Path, Any], tmp_path: Path, capsys: Any) -> None:
    folder, _ = quick_data
    model = tmp_path / "lite.pkl"
    assert main(["rm", "train", "--data", str(folder), "--out", str(model)]) == 0
    assert "chosen on" in capsys.readouterr().out  # C and threshold chosen on the val split
    results = tmp_path / "res.sqlite"
    out_json = tmp_path / "eval.json"
    assert (
        main(
            [
                "rm",
                "eval",
                "--model",
                str(model),
                "--data",
                str(folder),
                "--resamples",
                "50",
                "--results",
                str(results),
                "--label",
                "lite-q",
                "--json",
                str(out_json),
            ]
        )
        == 0
    )
    printed = capsys.readouterr().out
    assert "AUROC" in printed and "fact rows" in printed and "drops-fact" in printed
    assert "within strategies" in printed and "strategy alone (hindsight)" in printed
    metrics = json.loads(out_json.read_text())
    assert set(metrics) == {"iid", "budget_ood", "strategy_ood", "scenario_ood"}
    for split, m in metrics.items():  # the fact rows and the baselines, recomputed
        rows = list(read_jsonl(folder / f"{split}.jsonl"))
        fact = [r for r in rows if any(d["facts"] for d in r["dropped"])]
        assert m["fact"]["n"] == len(fact)
        assert m["all"]["base_rate"] == sum(r["harmful"] for r in rows) / len(rows)
        assert m["all"]["constant"]["ap"] == m["all"]["base_rate"]
        for part in ("all", "fact"):  # AP <= 1, so AP / base <= 1 / base
            if m[part]["harmful"]:
                assert m[part]["ap_max_over_base"] == pytest.approx(1 / m[part]["base_rate"])
                assert m[part]["ap_over_base"] <= m[part]["ap_max_over_base"] + 1e-12
        assert m["calibration"]["n"] == len(rows)
        per = m["strategies"]["per_strategy"]  # the fact rows per strategy, recounted
        assert {k: v["n"] for k, v in per.items()} == {
            s: sum(r["strategy"] == s for r in fact) for s in {r["strategy"] for r in fact}
        }
    db = sqlite3.connect(results)
    cols = [(r[1], r[2], r[3]) for r in db.execute("PRAGMA table_info(rm_predictions)")]
    assert cols == [
        ("label", "TEXT", 1),
        ("split", "TEXT", 1),
        ("model", "TEXT", 1),
        ("harmful", "INTEGER", 1),
        ("p_harmful", "REAL", 1),
    ]
    for split, stats in metrics.items():
        rows = list(read_jsonl(folder / f"{split}.jsonl"))
        got = db.execute(
            "SELECT COUNT(*), SUM(harmful) FROM rm_predictions WHERE split = ?"
            " AND label = 'lite-q' AND model = 'lite'",
            (split,),
        ).fetchone()
        assert got == (len(rows), sum(r["harmful"] for r in rows)) == (stats["all"]["n"], got[1])
    db.close()

    scored = tmp_path / "scored.jsonl"
    assert (
        main(
            ["rm", "score", str(folder / "iid.jsonl"), "--model", str(model), "--out", str(scored)]
        )
        == 0
    )
    rows = list(read_jsonl(scored))
    assert rows and all(0.0 <= r["p_harmful"] <= 1.0 for r in rows)

    assert (
        _rank(
            model,
            "--track",
            "codeqa",
            "--strategy",
            "window:max_tokens=1000",
            "--strategy",
            "mask:keep=2",
            "--seeds",
            "1",
        )
        == 0
    )
    printed = capsys.readouterr().out
    assert "Kendall tau" in printed and "compute ratio" in printed
    assert "interval over seed resamples: n/a" in printed  # one seed: nothing to resample
    assert "per track: codeqa" in printed and "replay against itself" in printed
    for baseline in ("compaction count", "fact-dropping count", "tokens dropped"):
        assert baseline in printed
    assert "MemRM against the baselines: no seed interval" in printed  # one seed


def test_score_a_results_file(tmp_path: Path, quick_data: tuple[Path, Any], capsys: Any) -> None:
    folder, _ = quick_data
    model = tmp_path / "lite.pkl"
    from memgym.rm.lite import train_lite

    train_lite(list(read_jsonl(folder / "train.jsonl"))).save(model)
    results = tmp_path / "run.sqlite"
    assert (
        main(
            [
                "run",
                "--track",
                "entities",
                "--memory",
                "window:max_tokens=800",
                "--seeds",
                "1",
                "--results",
                str(results),
            ]
        )
        == 0
    )
    capsys.readouterr()
    before = results.read_bytes()
    assert main(["rm", "score", str(results), "--model", str(model)]) == 0
    assert "window:max_tokens=800" in capsys.readouterr().out
    assert results.read_bytes() == before  # read-only: scoring changes nothing in the file
    assert main(["rm", "score", str(results), "--model", str(model), "--run", "9"]) == 2
    assert "no run 9" in capsys.readouterr().err
    assert main(["rm", "score", str(results), "--model", str(model), "--out", str(results)]) == 2
    assert "is also the input" in capsys.readouterr().err
    empty = tmp_path / "empty.sqlite"
    empty.touch()
    assert main(["rm", "score", str(empty), "--model", str(model)]) == 2
    assert "not a memgym results file" in capsys.readouterr().err
    assert empty.stat().st_size == 0 and results.read_bytes() == before


def test_errors_are_one_line(tmp_path: Path, capsys: Any) -> None:
    assert main(["rm", "eval", "--model", str(tmp_path / "none.pkl"), "--data", str(tmp_path)]) == 2
    assert "no MemRM model" in capsys.readouterr().err
    assert main(["rm", "train", "--data", str(tmp_path / "missing"), "--out", "x"]) == 2
    assert main(["rm", "build", "--out", str(tmp_path), "--seeds", "2", "--test-seeds", "2"]) == 2
    capsys.readouterr()
    assert (
        main(
            [
                "rm",
                "train",
                "--data",
                str(tmp_path / "missing"),
                "--out",
                "x",
                "--tree-forms",
                "stacked,forest",
            ]
        )
        == 2
    )
    assert "--tree-forms must be some of stacked, hand" in capsys.readouterr().err
    for bad, message in (
        (["--track", "nope", "--quick"], "unknown track 'nope'"),
        (["--strategy", "window:nope=1", "--quick"], "bad options for memory 'window'"),
        (["--tier", "S", "--quick"], "unknown tier 'S'"),
    ):
        assert main(["rm", "build", "--out", str(tmp_path / "built"), *bad]) == 2
        assert message in capsys.readouterr().err
    assert not (tmp_path / "built").exists()
    foreign = tmp_path / "foreign.sqlite"
    with sqlite3.connect(foreign) as db:
        db.execute("CREATE TABLE notes(text TEXT)")
    db.close()
    kept = foreign.read_bytes()
    empty = tmp_path / "empty.jsonl"
    empty.touch()
    for argv, message in (
        (["eval", "--model", "m.pkl", "--results", str(foreign)], "not a memgym results file"),
        (["eval", "--model", "m.pkl", "--threshold", "5"], "--threshold must be from 0.5 to 1"),
        (["eval", "--model", "m.pkl", "--limit", "-1"], "--limit must be at least 1"),
        (["add-split", str(empty), "--name", "x", "--data", str(tmp_path)], "holds no rows"),
        (["rank", "--cache", str(empty), "--seeds", "1"], "is a file: give a folder"),
    ):
        assert main(["rm", *argv]) == 2, argv
        assert message in " ".join(capsys.readouterr().err.split()), argv
    assert foreign.read_bytes() == kept


def test_train_refuses_bad_options_before_reading_or_training(
    tmp_path: Path, quick_data: tuple[Path, Any], capsys: Any
) -> None:
    folder, _ = quick_data
    a_file = tmp_path / "model.pkl"
    a_file.write_bytes(b"kept")
    for extra, message in (
        (["--out", str(tmp_path / "nodir" / "m.pkl")], "cannot write --out"),
        (["--out", str(tmp_path)], "it is a folder"),
        (["--out", str(folder / "train.jsonl")], "is also --data"),
        (["--model", "lm", "--out", str(a_file)], "it is a file (a folder is written)"),
        (["--out", str(a_file), "--vote", "-1"], "--vote must be 0 or more"),
        (["--out", str(a_file), "--limit", "-5"], "--limit must be at least 1, got -5"),
        (["--out", str(a_file), "--c", "-1"], "--c must be above 0"),
        (["--model", "lm", "--out", str(tmp_path / "lm"), "--lr", "0"], "--lr must be above 0"),
        (["--model", "lm", "--out", str(tmp_path / "lm"), "--steps", "-1"], "--steps must be"),
        (
            ["--model", "lm", "--out", str(tmp_path / "lm"), "--base", str(folder)],
            "--base " + str(folder) + ": no model in this folder",
        ),
    ):
        data = folder / "train.jsonl" if "is also" in message else folder
        assert main(["rm", "train", "--data", str(data), *extra]) == 2, extra
        err = " ".join(capsys.readouterr().err.split())
        assert message in err, (extra, err)
    assert a_file.read_bytes() == b"kept" and not (tmp_path / "lm").exists()


def test_rank_refuses_a_strategy_given_twice(lite_model: tuple[Path, Any], capsys: Any) -> None:
    path, _ = lite_model
    assert (
        _rank(path, "--strategy", "mask:keep=2", "--strategy", "mask:keep=2", "--seeds", "1") == 2
    )
    assert "--strategy given more than once: mask:keep=2" in capsys.readouterr().err
    assert (
        _rank(path, "--strategy", "mask:keep=2", "--strategy", "mask:keep=3", "--workers", "0") == 2
    )
    assert "--workers and --seeds must be at least 1" in capsys.readouterr().err


def test_validation_rows_of_one_label_are_refused_before_training(
    quick_data: tuple[Path, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder, _ = quick_data
    (tmp_path / "train.jsonl").write_bytes((folder / "train.jsonl").read_bytes())
    safe = [line for line in (folder / "val.jsonl").read_text().splitlines()
            if not json.loads(line)["harmful"]]  # fmt: skip
    (tmp_path / "val.jsonl").write_text("\n".join(safe) + "\n")
    assert main(["rm", "train", "--data", str(tmp_path), "--out", str(tmp_path / "m.pkl")]) == 2
    err = capsys.readouterr().err
    assert f"the {len(safe)} validation rows need both SAFE and HARMFUL labels" in err
    assert not (tmp_path / "m.pkl").exists()
