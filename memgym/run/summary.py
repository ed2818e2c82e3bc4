"""Per-policy summaries of episode results: means and standard errors over seeds."""

from __future__ import annotations

import math
import sys
from collections.abc import Iterable, Sequence
from fractions import Fraction
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


class Running:
    """A running mean and standard error over a stream of floats, in constant memory: exact
    rational sums of the values and of their squares, so ``result()`` equals ``mean_se`` over
    the whole list bit for bit (``statistics`` computes both exactly and rounds once)."""

    __slots__ = ("n", "squares", "total")

    def __init__(self) -> None:
        self.n = 0
        self.total = Fraction(0)
        self.squares = Fraction(0)

    def add(self, value: float) -> None:
        exact = Fraction(value)
        self.n += 1
        self.total += exact
        self.squares += exact * exact

    def result(self) -> tuple[float, float]:
        """(mean, standard error); (NaN, NaN) when empty, standard error 0 for one value."""
        if not self.n:
            return math.nan, math.nan
        mean_value = float(self.total / self.n)
        if self.n == 1:
            return mean_value, 0.0
        deviations = self.squares - self.total * self.total / self.n
        return mean_value, sqrt_rounded(deviations / (self.n - 1)) / math.sqrt(self.n)


def sqrt_rounded(value: Fraction) -> float:
    """The square root of a non-negative rational, correctly rounded to a float: an integer
    square root carried to ``_ROOT_BITS`` bits, its last bit set when inexact (so rounding that
    integer to a float cannot land on a false tie)."""
    num, den = value.numerator, value.denominator
    shift = max(0, _ROOT_BITS - (num.bit_length() - den.bit_length()) // 2)
    scaled = num << (2 * shift)
    root = math.isqrt(scaled // den)
    if root * root * den != scaled:
        root |= 1
    return root / (1 << shift)


_ROOT_BITS = 2 * sys.float_info.mant_dig + 4


def summarize(
    results: Iterable[EpisodeResult],
) -> dict[tuple[str, str], dict[str, tuple[float, float]]]:
    """(memory, reasoner) -> column -> (mean, standard error), over the episodes of each pair
    (``infra_error`` ones left out), pairs in order of first appearance. Keeps running sums
    only (``Running``), so the results are streamed in constant memory."""
    groups: dict[tuple[str, str], dict[str, Running]] = {}
    for r in results:
        if r.status == "infra_error":
            continue
        values = groups.setdefault((r.memory, r.reasoner), {})
        for name in COLUMNS:
            if (v := column(r, name)) is not None:
                values.setdefault(name, Running()).add(v)
        if r.abstention is not None:
            values.setdefault("abstention", Running()).add(r.abstention)
        if "task" in r.axes and r.answers:
            for name in PER_TASK:
                values.setdefault(name, Running()).add(r.usage.get(name, 0.0) / len(r.answers))
        values.setdefault("writes", Running()).add(float(r.writes_used))
    empty = Running()
    return {
        key: {
            **{
                name: values.get(name, empty).result()
                for name in (*COLUMNS, "abstention", *PER_TASK)
            },
            "writes": values["writes"].result(),
            "episodes": (float(values["writes"].n), 0.0),
        }
        for key, values in groups.items()
    }
