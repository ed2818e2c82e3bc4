"""The report's numbers, recomputed independently from the episodes of a real comparison run."""

from __future__ import annotations

import math
import re
from statistics import mean, stdev

import pytest

from memgym.report import build_report
from memgym.report.data import load


@pytest.fixture(scope="module")
def data(stored):
    return load(str(stored.path), resamples=200)


def test_isolated_scores_are_recomputed_from_the_stored_answers(stored, data):
    (group,) = data.isolation
    assert all(c.leaked == [] for c in stored.comparisons)  # scripted: nothing leaks
    accuracy = {}
    for memory in {r.memory for r in stored.episodes}:
        marks = [
            a.correct
            for r in stored.episodes
            if r.memory == memory
            for a in r.answers
            if a.axis != "abstention"
        ]
        accuracy[memory] = sum(marks) / len(marks)
    gain = accuracy["oracle"] - accuracy["none"]
    assert gain > 0
    for score in group.scores:
        assert score.accuracy == pytest.approx(accuracy[score.memory])
        assert score.isolated == pytest.approx((accuracy[score.memory] - accuracy["none"]) / gain)
        assert score.ci_low <= score.isolated <= score.ci_high
    # per tier, the numbers equal what `memgym compare` printed for that run
    lite = load(str(stored.path), run_id=1, resamples=50).isolation[0]
    for score in lite.scores:
        assert score.isolated == pytest.approx(
            stored.comparisons[0].scores[score.memory].isolated, nan_ok=True
        )


def test_leaderboard_is_the_mean_and_standard_error_over_seeds(stored, data):
    seeds = stored.comparisons[0].seeds
    tiers = {r.params["tier"] for r in stored.episodes}
    assert len(tiers) == 2
    # one row per tier and memory: tiers are never averaged together
    assert {(row["tier"], row["memory"]) for row in data.leaderboard} == {
        (r.params["tier"], r.memory) for r in stored.episodes
    }
    for row in data.leaderboard:
        assert row["seeds"] == len(seeds)
        values = [
            mean(
                r.composite
                for r in stored.episodes
                if r.memory == row["memory"] and r.seed == s and r.params["tier"] == row["tier"]
            )
            for s in seeds
        ]
        assert row["composite"] == pytest.approx(mean(values))
        assert row["composite_se"] == pytest.approx(stdev(values) / math.sqrt(len(values)))
    for tier in tiers:  # best first within each track and tier, ranked from 1
        rows = [row for row in data.leaderboard if row["tier"] == tier]
        assert [row["rank"] for row in rows] == list(range(1, len(rows) + 1))
        composites = [row["composite"] for row in rows]
        assert composites == sorted(composites, reverse=True)


def test_per_track_figures_match_the_episodes(stored, data):
    (track,) = data.tracks
    for label, (m, _) in track.compactions.items():
        counts = [len(r.compactions) for r in stored.episodes if r.memory == label]
        assert m == pytest.approx(mean(counts))
    assert track.compactions["window:max_tokens=1000"][0] > 0
    for label, axes in track.axes.items():
        rows = [r for r in stored.episodes if r.memory == label]
        assert axes["breadth"] == pytest.approx(mean(r.axes["breadth"] for r in rows))
    # accuracy against budget: both families, one point per budget, mean accuracy at each
    assert set(track.budget) == {"window", "rag-bm25"}
    (window,) = track.budget["window"].values()
    assert [p.x for p in window] == [1000.0, 3000.0]
    small = [r.accuracy for r in stored.episodes if r.memory == "window:max_tokens=1000"]
    assert window[0].y == pytest.approx(mean(small))
    # accuracy against stream length: x is the mean number of stream tokens observed
    oracle = track.length["oracle"]
    assert track.length_param == "entities" and len(oracle) == 2
    sizes = sorted({r.params["entities"] for r in stored.episodes if r.memory == "oracle"})
    assert len(sizes) == 2  # lite and standard
    for point, entities in zip(oracle, sizes, strict=True):
        rows = [
            r for r in stored.episodes if r.memory == "oracle" and r.params["entities"] == entities
        ]
        assert point.x == pytest.approx(mean(r.tokens_observed for r in rows))
        assert point.y == pytest.approx(mean(r.accuracy for r in rows)) and point.n == len(rows)


def test_the_page_is_self_contained_and_every_chart_has_a_unique_id(stored):
    html = build_report(stored.path, resamples=200)
    assert "<script" not in html
    assert re.findall(r'(?:href|src)="', html) == []
    assert set(re.findall(r"https?://[^\"' ]+", html)) == {"http://www.w3.org/2000/svg"}
    ids = re.findall(r'<svg id="([^"]+)" class="chart"', html)
    assert len(ids) == len(set(ids))
    expected = {
        "leaderboard",
        "isolated-entities-scripted",
        "axes-entities",
        "length-entities",
        "budget-entities-window",
        "budget-entities-rag-bm25",
        "compactions-entities",
    }
    expected |= {
        f"{kind}-{split}"
        for kind in ("roc", "reliability", "risk-coverage")
        for split in ("test", "ood")
    }
    assert set(ids) == expected


def test_a_file_without_memrm_predictions_has_no_memrm_section(tmp_path, stored):
    import sqlite3

    copy = tmp_path / "copy.sqlite"
    with sqlite3.connect(stored.path) as src, sqlite3.connect(copy) as dst:
        src.backup(dst)
        dst.execute("DROP TABLE rm_predictions")
    html = build_report(copy, resamples=50)
    assert "MemRM" not in html and 'id="roc-' not in html
    assert 'id="leaderboard"' in html


def test_memrm_predictions_are_grouped_by_split_and_evaluation(stored, data):
    assert [s.split for s in data.rm] == ["test", "ood"]
    for split in data.rm:
        assert set(split.models) == {"memrm-r16 (lora)", "bm25"}
        labels, scores = split.models["bm25"]
        rows = [r for r in stored.rm_rows if r[1] == split.split and r[0] == "bm25"]
        assert labels == [bool(r[3]) for r in rows] and scores == [r[4] for r in rows]
