import argparse
import json

import pytest

from memgym.commands import compare
from memgym.commands.compare import memory_specs, run_comparison
from memgym.run.results import ResultsStore


def test_none_oracle_full_are_always_run_once(track):
    specs = memory_specs(["window", "none", "window:max_tokens=4000", "mask:keep=2"], "entities")
    assert specs == ["none", "oracle", "full", "window:max_tokens=4000", "mask:keep=2"]


def test_comparison_on_lite_scenarios(track):
    stored = []  # (memory, compactions) as each episode is handed over
    c = run_comparison(
        "entities",
        "lite",
        [0, 1, 2],
        ["window:max_tokens=1500", "rag-bm25"],
        on_episode=lambda r: stored.append((r.memory, len(r.compactions))),
        resamples=200,
    )
    assert list(c.scores) == ["none", "oracle", "full", "window:max_tokens=1500", "rag-bm25:k=5"]
    assert len(stored) == 15
    assert c.scores["oracle"].accuracy == 1.0 and c.scores["none"].accuracy <= 0.05
    w = c.scores["window:max_tokens=1500"]
    assert w.ci_low <= w.isolated <= w.ci_high
    assert c.compactions_per_episode["window:max_tokens=1500"] == pytest.approx(
        sum(n for m, n in stored if m == "window:max_tokens=1500") / 3
    )
    assert c.compactions_per_episode["window:max_tokens=1500"] > 0
    assert c.compactions_per_episode["full"] == 0.0
    assert 0 < c.tokens_per_question["window:max_tokens=1500"] < c.tokens_per_question["full"]
    assert c.leaked == []  # the scripted reasoner knows nothing closed-book


def test_leaked_questions_are_reported_and_excluded(track):
    from tests.scoring.test_isolation import Leaky

    scenario = track.generate(0, "lite")
    c = run_comparison(
        "entities",
        "lite",
        [0],
        ["window:max_tokens=1500"],
        reasoner=lambda: Leaky(track, scenario),
        resamples=50,
    )
    retrieval = [q.id for q in scenario.questions if q.kind == "retrieval"]
    assert retrieval and sorted(k.split(":")[1] for k in c.leaked) == sorted(retrieval)
    assert c.scores["none"].leaked == len(retrieval)
    assert c.scores["none"].scored == c.scores["none"].questions - len(retrieval)


def test_command_prints_json_and_stores_episodes(tmp_path, capsys):
    parser = argparse.ArgumentParser()
    compare.register(parser.add_subparsers(dest="command"))
    path = tmp_path / "r.sqlite"
    args = parser.parse_args(
        [
            "compare",
            "--tier",
            "lite",
            "--seeds",
            "2",
            "--memories",
            "mask:keep=3",
            "--resamples",
            "50",
            "--param",
            "questions=6",
            "--results",
            str(path),
            "--json",
        ]
    )
    assert args.func(args) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["params"] == {"questions": 6}
    assert [m["memory"] for m in out["memories"]] == ["none", "oracle", "full", "mask:keep=3"]
    with ResultsStore(path) as store:
        episodes = list(store.episodes())
    assert len(episodes) == 8
    mask = [e for e in episodes if e.memory == "mask:keep=3"]
    assert len(mask) == 2 and all(e.compactions for e in mask)
    args = parser.parse_args(
        [
            "compare",
            "--tier",
            "lite",
            "--seeds",
            "1",
            "--memories",
            "window",
            "--resamples",
            "10",
            "--param",
            "questions=6",
            "--results",
            str(path),
        ]
    )
    assert args.func(args) == 0
    out = capsys.readouterr().out
    assert "isolated" in out and "entities / lite questions=6 / 1 seed" in out
