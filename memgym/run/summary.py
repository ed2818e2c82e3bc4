"""Per-policy summaries of episode results: means and standard errors over seeds."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from statistics import mean, stdev

from memgym.types import EpisodeResult

COLUMNS = ("breadth", "maintenance", "reasoning", "efficiency", "composite", "accuracy")
PER_TASK = ("turns", "tool_calls", "view_tokens")
"""Usage counts of interactive episodes, summarised per task (``memgym.interactive.episode``)."""


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
    results: Iterable[EpisodeResult],
) -> dict[tuple[str, str], dict[str, tuple[float, float]]]:
    """(memory, reasoner) -> column -> (mean, standard error), over the episodes of each pair
    (``infra_error`` ones left out), pairs in order of first appearance. Keeps only the numbers,
    so the results may be streamed."""
    groups: dict[tuple[str, str], dict[str, list[float]]] = {}
    for r in results:
        if r.status == "infra_error":
            continue
        values = groups.setdefault((r.memory, r.reasoner), {})
        for name in COLUMNS:
            if (v := column(r, name)) is not None:
                values.setdefault(name, []).append(v)
        if r.abstention is not None:
            values.setdefault("abstention", []).append(r.abstention)
        if "task" in r.axes and r.answers:
            for name in PER_TASK:
                values.setdefault(name, []).append(r.usage.get(name, 0.0) / len(r.answers))
        values.setdefault("writes", []).append(float(r.writes_used))
    return {
        key: {
            **{name: mean_se(values.get(name, [])) for name in (*COLUMNS, "abstention", *PER_TASK)},
            "writes": mean_se(values["writes"]),
            "episodes": (float(len(values["writes"])), 0.0),
        }
        for key, values in groups.items()
    }
