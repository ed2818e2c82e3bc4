"""Which question kinds a scenario asks: a deterministic mix proportional to the question count.

Every scenario with at least four questions asks at least one question on each axis (maintenance
only when something changes). Within an axis the kinds take turns from a seeded starting order,
so their counts differ by at most one.
"""

from __future__ import annotations

import random as _random

from memgym.types import Axis, QuestionKind

AXIS_OF: dict[str, Axis] = {
    "retrieval": "breadth",
    "post_correction": "maintenance",
    "previous_value": "maintenance",
    "delta": "maintenance",
    "aggregation": "reasoning",
    "comparison": "reasoning",
    "argmax": "reasoning",
    "multi_hop": "reasoning",
    "filter_count": "reasoning",
    "trend": "reasoning",
    "abstention": "abstention",
}
KINDS_OF: dict[str, tuple[QuestionKind, ...]] = {
    "breadth": ("retrieval",),
    "maintenance": ("post_correction", "previous_value", "delta"),
    "reasoning": ("aggregation", "comparison", "argmax", "multi_hop", "filter_count", "trend"),
    "abstention": ("abstention",),
}
SHARES: tuple[tuple[str, float], ...] = (
    ("breadth", 0.30),
    ("maintenance", 0.25),
    ("reasoning", 0.30),
    ("abstention", 0.15),
)
"""Axis shares of the question count (largest remainder, at least one each from four on)."""


def axis_counts(questions: int, has_changes: bool) -> dict[str, int]:
    """How many questions each axis gets."""
    axes = [a for a, _ in SHARES]
    if questions < len(axes):
        order = ["breadth", "reasoning", "maintenance", "abstention"]
        if not has_changes:
            order.remove("maintenance")
            order.append("maintenance")
        counts = {a: 0 for a in axes}
        for a in order[:questions]:
            counts[a] += 1
    else:
        exact = {a: share * questions for a, share in SHARES}
        counts = {a: max(1, int(x)) for a, x in exact.items()}
        by_remainder = sorted(axes, key=lambda a: (-(exact[a] - int(exact[a])), axes.index(a)))
        i = 0
        while sum(counts.values()) < questions:
            counts[by_remainder[i % len(axes)]] += 1
            i += 1
        while sum(counts.values()) > questions:
            biggest = max(axes, key=lambda a: counts[a])
            counts[biggest] -= 1
    if not has_changes:
        counts["breadth"] += counts["maintenance"]
        counts["maintenance"] = 0
    return counts


def plan(rng: _random.Random, questions: int, has_changes: bool) -> list[QuestionKind]:
    """The kinds of the scenario's questions, grouped by axis."""
    kinds: list[QuestionKind] = []
    for axis, count in axis_counts(questions, has_changes).items():
        options = list(KINDS_OF[axis])
        rng.shuffle(options)
        kinds.extend(options[i % len(options)] for i in range(count))
    return kinds
