"""The web track through memgym's own paths: `memgym run` with the reference agents, and
`compare` pairing a tight history window against `full` with the context-reading agent."""

from __future__ import annotations

from pathlib import Path

import pytest

from memgym.cli import main
from memgym.commands.compare import run_comparison
from memgym.run.results import ResultsStore
from memgym.tracks.web.track import WebTrack
from tests.tracks.web.small import SMALL

PARAMS = [arg for k, v in SMALL.items() for arg in ("--param", f"{k}={v}")]
TIGHT = "window:max_tokens=400"


def test_memgym_run_scores_gold_one_noop_zero(
    browser_ready: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    results = tmp_path / "r.sqlite"
    code = main(["run", "--track", "web", "--tier", "lite", *PARAMS, "--seeds", "1",
                 "--results", str(results)])  # fmt: skip
    assert code == 0, capsys.readouterr().err
    with ResultsStore(results) as store:
        (run_id,) = [r["id"] for r in store.runs()]
        episodes = {e.reasoner: e for e in store.episodes(run_id)}
    assert {k: e.composite for k, e in episodes.items()} == {
        "gold": 1.0,
        "context": 1.0,
        "noop": 0.0,
    }
    world = WebTrack().world(WebTrack().generate(0, "lite", **SMALL))
    gold = episodes["gold"]
    # reviews need no memory: reported apart, never scored
    assert [a.question_id for a in gold.answers] == [
        t.id for t in world.tasks if t.kind != "review"
    ]
    assert (
        gold.usage["setup_tasks"]
        == gold.usage["setup_solved"]
        == sum(t.kind == "review" for t in world.tasks)
    )
    assert gold.usage["tool_calls"] == sum(len(t.steps) for t in world.tasks)
    assert episodes["noop"].usage["tool_calls"] == 0


def test_compare_pairs_a_tight_window_against_full(browser_ready: None) -> None:
    comparison = run_comparison("web", "lite", [0, 1], [TIGHT], "context", SMALL, resamples=200)
    scores = comparison.scores
    worlds = [WebTrack().world(WebTrack().generate(s, "lite", **SMALL)) for s in (0, 1)]
    scored = [t for w in worlds for t in w.tasks if t.kind != "review"]
    assert scores["full"].accuracy == 1.0 and scores["full"].questions == len(scored)
    # none keeps only the pinned head: no remembering errand is done (reviews are not scored)
    assert scores["none"].accuracy == 0.0
    assert scores["none"].accuracy <= scores[TIGHT].accuracy < 1.0
    assert scores[TIGHT].ci_low <= scores[TIGHT].isolated <= scores[TIGHT].ci_high
    assert comparison.compactions_per_episode[TIGHT] > 0
