"""MemRM curves against independent definitions."""

from __future__ import annotations

import random

import pytest

from memgym.report.curves import auc, ece, reliability, risk_coverage, roc


def data(n: int = 300, seed: int = 1) -> tuple[list[bool], list[float]]:
    rng = random.Random(seed)
    labels = [rng.random() < 0.6 for _ in range(n)]
    # scores rounded to one decimal: many ties
    scores = [round(min(1, max(0, (0.65 if y else 0.4) + rng.gauss(0, 0.2))), 1) for y in labels]
    return labels, scores


def test_auroc_equals_the_pairwise_probability_with_ties_as_half():
    labels, scores = data()
    pos = [s for y, s in zip(labels, scores) if y]
    neg = [s for y, s in zip(labels, scores) if not y]
    pairs = sum(1.0 if p > q else 0.5 if p == q else 0.0 for p in pos for q in neg)
    curve = roc(labels, scores)
    assert curve[0] == (0.0, 0.0) and curve[-1] == (1.0, 1.0)
    assert auc(curve) == pytest.approx(pairs / (len(pos) * len(neg)))


def test_reliability_bins_match_a_direct_count():
    labels, scores = data()
    bins = reliability(labels, scores, bins=10)
    assert sum(n for _, _, n in bins) == len(labels)
    # the bin of p in [0.6, 0.7): scores rounded to 0.6 only
    rows = [(y, s) for y, s in zip(labels, scores) if 0.6 <= s < 0.7]
    match = [b for b in bins if abs(b[0] - 0.6) < 1e-9]
    assert match == [(pytest.approx(0.6), sum(y for y, _ in rows) / len(rows), len(rows))]


def test_risk_coverage_ends_at_the_overall_error_rate():
    labels, scores = data()
    curve = risk_coverage(labels, scores)
    errors = sum((s >= 0.5) != y for y, s in zip(labels, scores))
    assert curve[-1] == (1.0, pytest.approx(errors / len(labels)))
    assert [c for c, _ in curve] == sorted(c for c, _ in curve)
    # the most confident rows come first: the first point holds only rows at max confidence
    top = max(max(s, 1 - s) for s in scores)
    first = [(y, s) for y, s in zip(labels, scores) if max(s, 1 - s) == top]
    assert curve[0][0] == pytest.approx(len(first) / len(labels))


def test_ece_is_zero_when_confidence_equals_accuracy_and_positive_otherwise():
    assert ece([True, False, True, False], [1.0, 0.0, 1.0, 0.0]) == 0.0
    assert ece([False, True], [0.9, 0.1]) == pytest.approx(0.9)


def test_agrees_with_the_numpy_metrics_of_memgym_rm_eval():
    pytest.importorskip("numpy")
    metrics = pytest.importorskip("memgym.rm.metrics")
    labels, scores = data(n=997, seed=3)
    y = [int(v) for v in labels]
    assert auc(roc(labels, scores)) == pytest.approx(metrics.auroc(y, scores))
    assert ece(labels, scores) == pytest.approx(metrics.ece(y, scores))
