"""Paired before/after figures from ordinary memgym run results, recomputed here by hand."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from memgym.cli import main
from memgym.run.results import ResultsStore
from memgym.serve import Faults, running
from memgym.train.lift import bootstrap_mean, lift

PARAMS = ["--param", "entities=6", "--param", "questions=3"]
SEEDS = ["--seed", "0", "--seeds", "3"]
MEMORIES = ("agentic:policy=strategic", "none", "oracle")


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`good` (a clean scripted server) and `bad` (one cutting every other final reply short),
    each run with the strategic store, none and oracle on the same seeds."""
    path = tmp_path_factory.mktemp("lift") / "r.sqlite"
    with running() as good, running(faults=Faults(truncate=0.5, seed=1)) as bad:
        for name, server in (("good", good), ("bad", bad)):
            for memory in MEMORIES:
                code = main(
                    [
                        "run",
                        "--tier",
                        "lite",
                        *SEEDS,
                        *PARAMS,
                        "--memory",
                        memory,
                        "--reasoner",
                        f"llm:model={name},base_url={server.base_url},tools=text",
                        "--results",
                        str(path),
                    ]
                )
                assert code == 0
    return path


def _answers(path: Path, model: str, memory: str) -> dict[tuple[str, str], bool]:
    with ResultsStore.open_read(path) as store:
        return {
            (e.scenario_hash, a.question_id): a.correct and a.status == "ok"
            for e in store.episodes(compactions=False)
            if e.model == model and e.memory == memory
            for a in e.answers
            if a.axis != "abstention"
        }


def test_lift_matches_the_answers_recomputed(results: Path) -> None:
    with ResultsStore.open_read(results) as store:
        episodes = list(store.episodes(compactions=False))
    out = lift(episodes, "bad", "good", resamples=200)
    good = _answers(results, "good", MEMORIES[0])
    bad = _answers(results, "bad", MEMORIES[0])
    assert set(good) == set(bad) and len(good) >= 6
    diffs = [good[k] - bad[k] for k in good]
    assert out["accuracy_diff"].n == len(diffs)
    assert out["accuracy_diff"].mean == pytest.approx(sum(diffs) / len(diffs))
    assert out["accuracy_diff"].mean > 0  # truncated answers are scored wrong
    strategic = [e for e in episodes if e.memory == MEMORIES[0]]
    by = {(e.model, e.scenario_hash): e.composite for e in strategic}
    hashes = {h for _, h in by}
    mean = sum(by[("good", h)] - by[("bad", h)] for h in hashes) / len(hashes)
    assert out["composite_diff"].mean == pytest.approx(mean)
    assert out["composite_diff"].low <= mean <= out["composite_diff"].high
    calls = {(e.model, e.scenario_hash): e.usage["tool_calls"] for e in strategic}
    more = sum(calls[("good", h)] - calls[("bad", h)] for h in hashes) / len(hashes)
    assert out["tool_calls_diff"].mean == pytest.approx(more)
    assert out["tool_calls_diff"].n == len(hashes)
    none, oracle = _answers(results, "good", "none"), _answers(results, "good", "oracle")
    acc = {m: sum(d.values()) / len(d) for m, d in (("s", good), ("n", none), ("o", oracle))}
    assert out["after"].isolated == pytest.approx((acc["s"] - acc["n"]) / (acc["o"] - acc["n"]))
    assert out["after"].tool_calls > 0 and out["after"].writes_used > 0
    assert out["before"].tool_errors == 0


def test_lift_command_prints_the_same_figures_and_refuses_unknown_models(
    results: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        [
            "train",
            "lift",
            str(results),
            "--before",
            "bad",
            "--after",
            "good",
            "--resamples",
            "200",
            "--json",
        ]
    )
    assert code == 0
    printed = json.loads(capsys.readouterr().out)
    with ResultsStore.open_read(results) as store:
        out = lift(list(store.episodes(compactions=False)), "bad", "good", resamples=200)
    assert printed["accuracy_diff"]["mean"] == pytest.approx(out["accuracy_diff"].mean)
    assert printed["after"]["composite"] == pytest.approx(out["after"].composite)
    assert (
        main(
            [
                "train",
                "lift",
                str(results),
                "--before",
                "bad",
                "--after",
                "good",
                "--resamples",
                "200",
            ]
        )
        == 0
    )
    text = capsys.readouterr().out
    flip = out["composite_diff"].sign_flip
    assert flip.n == 3 and flip.floor == pytest.approx(0.25)
    assert f"sign-flip p {flip.p:.3f} (exact; 3 pairs can give no p below 0.250)" in text
    assert "under 20 pairs: read these, not the bootstrap interval" in text
    assert main(["train", "lift", str(results), "--before", "nobody", "--after", "good"]) == 2
    assert "no episodes of model 'nobody'" in capsys.readouterr().err
    assert main(["train", "lift", str(results), "--before", "good", "--after", "good"]) == 2
    assert "--before and --after both name 'good'" in capsys.readouterr().err


def test_lift_reads_runs_from_several_results_files(
    results: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A model run into another file (as parallel runs are) pairs with the first file's runs."""
    other = tmp_path / "other.sqlite"
    with running() as server:
        code = main(
            [
                "run",
                "--tier",
                "lite",
                *SEEDS,
                *PARAMS,
                "--memory",
                MEMORIES[0],
                "--reasoner",
                f"llm:model=good2,base_url={server.base_url},tools=text",
                "--results",
                str(other),
            ]
        )
    assert code == 0
    capsys.readouterr()  # the run's own table
    args = ["--before", "bad", "--after", "good2", "--resamples", "200", "--json"]
    assert main(["train", "lift", str(results), str(other), *args]) == 0
    printed = json.loads(capsys.readouterr().out)
    with ResultsStore.open_read(results) as store:
        same = lift(list(store.episodes(compactions=False)), "bad", "good", resamples=200)
    assert printed["scenarios"] == same["scenarios"] == 3
    assert printed["composite_diff"]["mean"] == pytest.approx(same["composite_diff"].mean)
    assert main(["train", "lift", str(results), *args]) == 2
    assert "no episodes of model 'good2'" in capsys.readouterr().err
    assert main(["train", "lift", str(results), str(tmp_path / "nope.sqlite"), *args]) == 2


def test_bootstrap_interval_brackets_the_mean_and_is_seeded() -> None:
    values = [1.0] * 30 + [0.0] * 10
    a, b = bootstrap_mean(values, 500, 3), bootstrap_mean(values, 500, 3)
    assert a == b and a.low < a.mean == 0.75 < a.high
    assert bootstrap_mean([], 10, 0).n == 0


def test_equal_models_are_said_to_differ_nowhere_not_to_have_a_p_floor_of_one() -> None:
    from memgym.commands.train import _exact
    from memgym.train.lift import paired

    same = _exact(paired([0.0] * 40, 200, 0))
    assert "sign-flip p 1.000 (exact; every one of the 40 differences is 0)" in same
    assert "can give no p below" not in same
    assert "(exact; 4 pairs can give no p below 0.125)" in _exact(paired([1.0, 0, 0, 1], 200, 0))
