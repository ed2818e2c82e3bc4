"""Per-policy summaries of episode results: means and standard errors over seeds."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from statistics import mean, stdev

from memgym.types import EpisodeResult

COLUMNS = ("breadth", "maintenance", "reasoning", "efficiency", "composite", "accuracy")


def mean_se(values: Sequence[float]) -> tuple[float, float]:
    """Mean and standard error (0 for a single value)."""
    if not values:
        return math.nan, math.nan
    se = stdev(values) / math.sqrt(len(values)) if len(values) > 1 else 0.0
    return mean(values), se


def column(result: EpisodeResult, name: str) -> float | None:
    if name in ("composite", "accuracy"):
        return getattr(result, name)
    return result.axes.get(name)


def summarize(
    results: Iterable[EpisodeResult], label: str = "memory"
) -> dict[str, dict[str, tuple[float, float]]]:
    """group label -> column -> (mean, standard error), over the episodes of each group."""
    groups: dict[str, list[EpisodeResult]] = {}
    for r in results:
        if r.status == "infra_error":
            continue
        key = r.memory if label == "memory" else f"{r.memory} / {r.reasoner}"
        groups.setdefault(key, []).append(r)
    table: dict[str, dict[str, tuple[float, float]]] = {}
    for key, rows in groups.items():
        table[key] = {}
        for name in COLUMNS:
            values = [v for r in rows if (v := column(r, name)) is not None]
            table[key][name] = mean_se(values)
        abst = [r.abstention for r in rows if r.abstention is not None]
        table[key]["abstention"] = mean_se(abst)
        table[key]["writes"] = mean_se([float(r.writes_used) for r in rows])
        table[key]["episodes"] = (float(len(rows)), 0.0)
    return table
