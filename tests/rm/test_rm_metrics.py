"""MemRM metrics against scikit-learn / scipy (and plain loops) on random data with ties."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest
from scipy.stats import kendalltau
from sklearn.metrics import accuracy_score, f1_score, roc_auc_score

from memgym.rm.metrics import (
    aurc,
    auroc,
    auroc_ci,
    coverage,
    ece,
    report,
    risk_coverage,
    threshold_sweep,
)
from memgym.rmdata.rank import kendall_tau


def _data(seed: int, n: int = 400, rate: float = 0.2) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < rate).astype(int)
    # rounded scores: many ties, informative but noisy
    p = np.clip(np.round(0.3 * y + rng.random(n) * 0.7, 2), 0, 1)
    return y, p


@pytest.mark.parametrize("seed", range(5))
def test_auroc_matches_sklearn_with_ties(seed: int) -> None:
    y, p = _data(seed)
    assert auroc(y, p) == pytest.approx(roc_auc_score(y, p), abs=1e-12)


def test_auroc_nan_with_one_class_and_errors() -> None:
    assert math.isnan(auroc([1, 1, 1], [0.1, 0.5, 0.9]))
    with pytest.raises(ValueError, match="length"):
        auroc([0, 1], [0.5])
    with pytest.raises(ValueError, match="0 \\(SAFE\\) or 1"):
        auroc([0, 2], [0.5, 0.2])


def test_bootstrap_ci_is_seeded_and_brackets_the_estimate() -> None:
    y, p = _data(1)
    low, high = auroc_ci(y, p, resamples=300, seed=7)
    assert (low, high) == auroc_ci(y, p, resamples=300, seed=7)
    assert low < auroc(y, p) < high
    # recompute the percentile bootstrap independently with sklearn
    rng = np.random.default_rng(7)
    values = []
    for _ in range(300):
        idx = rng.integers(0, y.size, y.size)
        if len(set(y[idx])) == 2:
            values.append(roc_auc_score(y[idx], p[idx]))
    assert low == pytest.approx(np.percentile(values, 2.5))
    assert high == pytest.approx(np.percentile(values, 97.5))


@pytest.mark.parametrize("seed", range(3))
def test_ece_equal_mass_bins(seed: int) -> None:
    y, p = _data(seed, n=301)
    conf = [max(v, 1 - v) for v in p]
    right = [int((v >= 0.5) == bool(t)) for v, t in zip(p, y)]
    order = sorted(range(len(p)), key=lambda i: conf[i])
    n = len(p)
    total = 0.0
    start = 0
    for b in range(15):  # equal-mass bins: sizes differ by at most one, larger first
        size = n // 15 + (1 if b < n % 15 else 0)
        part = order[start : start + size]
        start += size
        total += (
            len(part)
            / n
            * abs(sum(conf[i] for i in part) / len(part) - sum(right[i] for i in part) / len(part))
        )
    assert ece(y, p) == pytest.approx(total)
    assert ece([0, 1], [0.0, 1.0]) == 0.0


@pytest.mark.parametrize("seed", range(3))
def test_f1_accuracy_coverage_match_sklearn(seed: int) -> None:
    y, p = _data(seed)
    r = report(y, p, thresholds=(0.88, 0.7), resamples=20)
    pred = (p >= 0.5).astype(int)
    assert r["accuracy"] == pytest.approx(accuracy_score(y, pred))
    assert r["harmful_f1"] == pytest.approx(f1_score(y, pred, pos_label=1, zero_division=0))
    assert r["safe_f1"] == pytest.approx(f1_score(y, pred, pos_label=0, zero_division=0))
    for t in (0.88, 0.7):
        mask = ((1 - p) >= t) | ((1 - p) <= 1 - t)
        cov, cov_auc = coverage(y, p, t)
        assert cov == pytest.approx(mask.mean())
        assert cov_auc == pytest.approx(roc_auc_score(y[mask], p[mask]))
        assert r["coverage"][f"{t:g}"]["coverage"] == pytest.approx(cov)


def test_risk_coverage_and_aurc_by_loop() -> None:
    y, p = _data(3, n=120)
    conf = np.maximum(p, 1 - p)
    order = sorted(range(len(p)), key=lambda i: -conf[i])  # stable, like mergesort on -conf
    risks = []
    wrong = 0
    for k, i in enumerate(order, 1):
        wrong += int((p[i] >= 0.5) != bool(y[i]))
        risks.append(wrong / k)
    cov, risk = risk_coverage(y, p)
    assert list(risk) == pytest.approx(risks)
    assert cov[-1] == 1.0
    assert aurc(y, p) == pytest.approx(sum(risks) / len(risks))


def test_threshold_sweep_brute_force() -> None:
    rng = random.Random(4)
    y = np.array([int(rng.random() < 0.7) for _ in range(300)])
    p = np.array([min(1.0, max(0.0, 0.45 * t + rng.random() * 0.6)) for t in y])
    best = None
    for i in range(91):
        t = round(0.05 + i * 0.01, 2)
        pred = (p >= t).astype(int)
        harm = f1_score(y, pred, pos_label=1, zero_division=0)
        safe = f1_score(y, pred, pos_label=0, zero_division=0)
        if harm >= 0.9 and (best is None or safe > best[1]):
            best = (t, safe, harm)
    got = threshold_sweep(y, p)
    if best is None:
        assert got is None
    else:
        assert got is not None
        assert (got["threshold"], got["safe_f1"], got["harmful_f1"]) == pytest.approx(best)
    assert threshold_sweep(y, p, min_harmful_f1=1.01) is None


@pytest.mark.parametrize("seed", range(4))
def test_kendall_tau_b_matches_scipy(seed: int) -> None:
    rng = random.Random(seed)
    x = [rng.randint(0, 4) for _ in range(9)]
    z = [v + rng.randint(-2, 2) for v in x]
    assert kendall_tau(x, z) == pytest.approx(kendalltau(x, z).statistic)
    assert math.isnan(kendall_tau([1, 1, 1], [1, 2, 3]))


def test_average_precision_matches_sklearn_with_ties() -> None:
    from sklearn.metrics import average_precision_score

    from memgym.rm.metrics import average_precision

    rng = np.random.default_rng(3)
    for _ in range(20):
        y = rng.integers(0, 2, 300)
        p = np.round(rng.random(300), 1)  # many ties
        assert average_precision(y, p) == pytest.approx(average_precision_score(y, p), abs=1e-12)
    assert average_precision([0, 1, 0, 0], [0.5] * 4) == pytest.approx(0.25)


def test_cluster_bootstrap_draws_whole_clusters() -> None:
    """Recomputed with a plain loop over the same draws; and a split whose clusters are each one
    label has a wider interval than its rows would give."""
    from memgym.rm.metrics import auroc, auroc_ci, cluster_bootstrap

    rng = np.random.default_rng(4)
    clusters = [i // 20 for i in range(400)]
    level = rng.random(20)  # each cluster's own score level: rows of a cluster move together
    y = np.asarray([int(rng.random() < 0.1 + 0.6 * (c % 3 == 0)) for c in clusters])
    p = np.asarray([level[c] + 0.2 * y[i] + 0.05 * rng.random() for i, c in enumerate(clusters)])
    got = cluster_bootstrap(y, p, clusters, resamples=200, seed=7)
    draw = np.random.default_rng(7)
    values = []
    for _ in range(200):
        pick = draw.integers(0, 20, 20)
        idx = [i for k in pick for i in range(k * 20, k * 20 + 20)]
        values.append(auroc(y[idx], p[idx]))
    assert got["auroc"] == pytest.approx(tuple(np.percentile(values, [2.5, 97.5])))
    rows_ci = auroc_ci(y, p, 200, 7)
    assert got["auroc"][1] - got["auroc"][0] > rows_ci[1] - rows_ci[0]


def test_cluster_bootstrap_is_na_under_ten_clusters() -> None:
    from memgym.rm.metrics import MIN_CLUSTERS, cluster_bootstrap

    rng = np.random.default_rng(1)
    y = rng.integers(0, 2, 90)
    p = rng.random(90)
    few = cluster_bootstrap(y, p, [i % (MIN_CLUSTERS - 1) for i in range(90)], resamples=50)
    assert all(math.isnan(v) for pair in few.values() for v in pair)
    enough = cluster_bootstrap(y, p, [i % MIN_CLUSTERS for i in range(90)], resamples=50)
    assert all(0.0 <= v <= 1.0 for pair in enough.values() for v in pair)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_within_strategy_auroc_counts_same_strategy_pairs(seed: int) -> None:
    """The within-strategy AUROC is the share of (HARMFUL, SAFE) pairs of one strategy that the
    scores order right (ties half), counted pair by pair; the strategy alone scores each row by
    its strategy's HARMFUL rate; other rows than fact rows are left out."""
    from memgym.rm.evaluate import strategy_report, within_group_auroc

    rng = random.Random(seed)
    rows, p = [], []
    for i in range(120):
        strategy = rng.choice(["window", "mask", "summary"])
        harmful = int(rng.random() < {"window": 0.7, "mask": 0.5, "summary": 0.1}[strategy])
        fact = i % 5 != 0
        rows.append(
            {
                "strategy": strategy,
                "harmful": harmful if fact else 0,
                "dropped": [{"text": "x", "facts": ["f1"] if fact else []}],
            }
        )
        p.append(round(rng.random(), 1))  # ties on purpose
    fact_rows = [(r, q) for r, q in zip(rows, p, strict=True) if r["dropped"][0]["facts"]]
    right = pairs = 0.0
    for a, pa in fact_rows:
        for b, pb in fact_rows:
            if a["strategy"] == b["strategy"] and a["harmful"] == 1 and b["harmful"] == 0:
                pairs += 1
                right += 1.0 if pa > pb else 0.5 if pa == pb else 0.0
    report = strategy_report(rows, p)
    assert report["within"] == pytest.approx(right / pairs)
    ys = [r["harmful"] for r, _ in fact_rows]
    groups = [r["strategy"] for r, _ in fact_rows]
    assert within_group_auroc(ys, [q for _, q in fact_rows], groups) == pytest.approx(right / pairs)
    for strategy, s in report["per_strategy"].items():
        mine = [r for r, _ in fact_rows if r["strategy"] == strategy]
        assert (s["n"], s["harmful"]) == (len(mine), sum(r["harmful"] for r in mine))
    rate = {
        g: sum(y for y, h in zip(ys, groups, strict=True) if h == g) / groups.count(g)
        for g in set(groups)
    }
    assert report["strategy_alone"] == pytest.approx(auroc(ys, [rate[g] for g in groups]))
    assert math.isnan(within_group_auroc([1, 0], [0.3, 0.2], ["a", "b"]))  # no pair within one
