"""The honest report of a MemRM on one split: overall and on the rows that drop a fact, with
the baselines beside every figure and intervals over whole scenarios.

Most compactions drop only filler, distractors or notes whose lines the view keeps, and none of
those is HARMFUL; a model that only tells them apart from the rest scores a high AUROC that says
nothing about the compactions that matter. So every figure is given twice, on all rows and on the
*fact rows* (``rows.drops_fact``), each beside two baselines: a constant (AUROC 0.5, average
precision = the base rate) and the indicator "drops a fact" (which on the fact rows is a
constant again). Intervals resample whole scenarios (``metrics.cluster_bootstrap``). The
threshold is the one chosen on the validation split (stored with the model), never on a test
split.

A split whose strategies differ in how often their fact rows are HARMFUL can be scored well by
telling the strategies apart, which no model reads. So the fact rows are also reported per
strategy (``strategy_report``): the AUROC within each, the AUROC over pairs of the same strategy
only, and what the strategy alone would score, in hindsight.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from memgym.rm.metrics import (
    auroc,
    average_precision,
    cluster_bootstrap,
    ece,
    group_indices,
    threshold_metrics,
)
from memgym.rm.rows import Row, drops_fact


def subset_report(
    y: Sequence[int],
    p: Sequence[float],
    fact: Sequence[bool],
    clusters: Sequence[Any],
    threshold: float | None,
    resamples: int,
    seed: int = 0,
) -> dict[str, Any]:
    """Model and baselines on one set of rows."""
    n = len(y)
    base = sum(y) / n if n else math.nan
    intervals = cluster_bootstrap(y, p, clusters, resamples, seed) if resamples else {}
    indicator = [float(f) for f in fact]
    out: dict[str, Any] = {
        "n": n,
        "harmful": int(sum(y)),
        "base_rate": base,
        "scenarios": len(set(clusters)),
        "auroc": auroc(y, p),
        "auroc_ci": list(intervals.get("auroc", (math.nan, math.nan))),
        "ap": average_precision(y, p),
        "ap_ci": list(intervals.get("ap", (math.nan, math.nan))),
        "ap_over_base": average_precision(y, p) / base if base else math.nan,
        "ap_max_over_base": 1.0 / base if base else math.nan,
        "constant": {"auroc": 0.5 if 0 < sum(y) < n else math.nan, "ap": base},
        "drops_fact": {"auroc": auroc(y, indicator), "ap": average_precision(y, indicator)},
        "ece": ece(y, p),
    }
    if threshold is not None:
        out["at_threshold"] = threshold_metrics(y, p, threshold)
    return out


def strategy_of(row: Row) -> str:
    """The memory strategy a row's compaction came from (``memory`` for interactive rows)."""
    return str(row.get("strategy") or row.get("memory") or "?")


def _members(groups: Sequence[str]) -> dict[str, list[int]]:
    """The indices of each group, groups in sorted order."""
    return dict(sorted(group_indices(groups).items()))


def within_group_auroc(y: Sequence[int], p: Sequence[float], groups: Sequence[str]) -> float:
    """AUROC over the (HARMFUL, SAFE) pairs of the same group only: each group's AUROC weighted
    by its pairs (NaN when no group has both labels)."""
    total = weight = 0.0
    for idx in _members(groups).values():
        pos = sum(y[i] for i in idx)
        pairs = pos * (len(idx) - pos)
        if pairs:
            total += pairs * auroc([y[i] for i in idx], [p[i] for i in idx])
            weight += pairs
    return total / weight if weight else math.nan


def strategy_report(
    rows: Sequence[Row], p: Sequence[float], target: str = "harmful"
) -> dict[str, Any]:
    """On the fact rows: per strategy (rows, HARMFUL, AUROC), the AUROC within strategies
    (``within_group_auroc``) and ``strategy_alone``: the AUROC of scoring each row by its
    strategy's HARMFUL rate on these very rows (hindsight: what telling strategies apart is
    worth here)."""
    idx = [i for i, r in enumerate(rows) if drops_fact(r)]
    y = [int(rows[i][target]) for i in idx]
    q = [p[i] for i in idx]
    groups = [strategy_of(rows[i]) for i in idx]
    per: dict[str, dict[str, Any]] = {}
    for g, mine in _members(groups).items():
        ys = [y[k] for k in mine]
        per[g] = {"n": len(mine), "harmful": sum(ys), "auroc": auroc(ys, [q[k] for k in mine])}
    rate = {g: v["harmful"] / v["n"] for g, v in per.items()}
    return {
        "per_strategy": per,
        "within": within_group_auroc(y, q, groups),
        "strategy_alone": auroc(y, [rate[g] for g in groups]) if y else math.nan,
    }


def split_report(
    rows: Sequence[Row],
    p: Sequence[float],
    threshold: float | None = None,
    resamples: int = 1000,
    seed: int = 0,
    target: str = "harmful",
) -> dict[str, Any]:
    """All rows and fact rows, overall and per track, and the fact rows per strategy;
    ``target`` names the label field."""
    y = [int(r[target]) for r in rows]
    fact = [drops_fact(r) for r in rows]
    clusters = [str(r.get("episode", "")) or f"{r.get('track')}-{r.get('seed')}" for r in rows]

    def part(keep: Sequence[bool], boot: int) -> dict[str, Any]:
        idx = [i for i, k in enumerate(keep) if k]
        return subset_report(
            [y[i] for i in idx],
            [p[i] for i in idx],
            [fact[i] for i in idx],
            [clusters[i] for i in idx],
            threshold,
            boot,
            seed,
        )

    out: dict[str, Any] = {
        "all": part([True] * len(rows), resamples),
        "fact": part(fact, resamples),
        "fact_share": sum(fact) / len(rows) if rows else math.nan,
        "tracks": {},
        "strategies": strategy_report(rows, p, target),
    }
    for track in sorted({str(r.get("track", "?")) for r in rows}):
        mine = [str(r.get("track", "?")) == track for r in rows]
        out["tracks"][track] = {
            "all": part(mine, resamples // 5),
            "fact": part([m and f for m, f in zip(mine, fact, strict=True)], resamples // 5),
        }
    return out
