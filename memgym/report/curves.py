"""MemRM curves from (label, P(HARMFUL)) pairs, pure Python (HARMFUL is the positive class):
ROC with a tie-aware AUROC, the reliability diagram, ECE and the risk-coverage curve."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import groupby, pairwise


def roc(labels: Sequence[bool], scores: Sequence[float]) -> list[tuple[float, float]]:
    """(false positive rate, true positive rate) from (0, 0) to (1, 1), one step per distinct
    score (tied scores move both rates at once)."""
    pos = sum(labels)
    neg = len(labels) - pos
    points = [(0.0, 0.0)]
    tp = fp = 0
    ranked = sorted(zip(scores, labels), key=lambda sl: -sl[0])
    for _, group in groupby(ranked, key=lambda sl: sl[0]):
        for _, harmful in group:
            tp += harmful
            fp += not harmful
        points.append((fp / neg if neg else 0.0, tp / pos if pos else 0.0))
    return points


def auc(points: Sequence[tuple[float, float]]) -> float:
    """Area under a curve given as (x, y) points in x order (trapezoids)."""
    return sum((x1 - x0) * (y0 + y1) / 2 for (x0, y0), (x1, y1) in pairwise(points))


def reliability(
    labels: Sequence[bool], scores: Sequence[float], bins: int = 10
) -> list[tuple[float, float, int]]:
    """Equal-width bins of P(HARMFUL): (mean predicted, observed HARMFUL rate, rows) for each
    non-empty bin, in bin order."""
    sums = [[0.0, 0.0, 0] for _ in range(bins)]
    for harmful, p in zip(labels, scores, strict=True):
        b = sums[min(bins - 1, int(p * bins))]
        b[0] += p
        b[1] += harmful
        b[2] += 1
    return [(s / n, h / n, int(n)) for s, h, n in sums if n]


def ece(labels: Sequence[bool], scores: Sequence[float], bins: int = 15) -> float:
    """Expected calibration error: rows sorted (stably) by the predicted class's confidence
    max(p, 1 - p) and cut into ``bins`` equal-mass bins (the first ``n % bins`` one row larger),
    correctness at the 0.5 threshold; sum of |bin|/n * |mean confidence - accuracy|. The same
    binning as ``memgym rm eval``, so the numbers agree."""
    rows = sorted(
        ((max(p, 1 - p), (p >= 0.5) == bool(h)) for h, p in zip(labels, scores, strict=True)),
        key=lambda row: row[0],
    )
    n = len(rows)
    if not n:
        return float("nan")
    size, extra = divmod(n, bins)
    total, start = 0.0, 0
    for b in range(bins):
        part = rows[start : start + size + (b < extra)]
        start += len(part)
        if part:
            conf = sum(c for c, _ in part) / len(part)
            acc = sum(ok for _, ok in part) / len(part)
            total += len(part) / n * abs(conf - acc)
    return total


def risk_coverage(labels: Sequence[bool], scores: Sequence[float]) -> list[tuple[float, float]]:
    """(coverage, risk): rows taken most confident first (max(p, 1 - p)); risk is the error
    rate at the 0.5 threshold among the rows taken, one point per distinct confidence."""
    ranked = sorted(zip(scores, labels), key=lambda sl: -max(sl[0], 1 - sl[0]))
    n = len(ranked)
    points: list[tuple[float, float]] = []
    taken = errors = 0
    for _, group in groupby(ranked, key=lambda sl: max(sl[0], 1 - sl[0])):
        for p, harmful in group:
            taken += 1
            errors += (p >= 0.5) != bool(harmful)
        points.append((taken / n, errors / taken))
    return points
