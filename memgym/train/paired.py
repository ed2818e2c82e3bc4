"""Exact tests for a few paired differences, where a percentile bootstrap is not to be trusted.

- ``sign_flip_p``: the exact two-sided paired randomisation test. Under "no effect" each pair's
  difference is as likely to have either sign; the p value is the share of the ``2**n`` sign
  assignments whose mean is at least as far from zero as the one observed. With every one of
  ``n`` differences on one side it is ``2 / 2**n`` at best: 5 pairs cannot reach p < 0.05.
- ``t_interval``: the mean with its Student t interval (``n - 1`` degrees of freedom).

A zero difference flips to itself, so it leaves every assignment's sum as it is: the p over all
pairs is the p over the non-zero ones. Exact enumeration runs meet-in-the-middle over those (two
halves of at most ``2**(m/2)`` sums each), so it is exact up to ``EXACT_MAX`` non-zero pairs (40
held-out seeds of which 12 differ: exact); above it the p is estimated from seeded random flips.
"""

from __future__ import annotations

import bisect
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass

EXACT_MAX = 36
MONTE_CARLO = 200_000
_TOL = 1e-9


@dataclass(frozen=True)
class SignFlip:
    """The p value, whether it is exact, and the smallest p any data of this ``n`` could give."""

    p: float
    exact: bool
    n: int
    floor: float


def _sums(values: Sequence[float]) -> list[float]:
    sums = [0.0]
    for v in values:
        sums = [s + v for s in sums] + [s - v for s in sums]
    return sums


def sign_flip_p(diffs: Sequence[float], seed: int = 0) -> SignFlip:
    """The two-sided sign-flip p of paired differences ``diffs`` (zeros flip to themselves)."""
    n = len(diffs)
    if not n:
        return SignFlip(math.nan, True, 0, math.nan)
    observed = abs(sum(diffs)) - _TOL * max(1.0, sum(map(abs, diffs)))
    floor = min(1.0, 2 / 2**n) if any(diffs) else 1.0
    if observed <= 0:  # a mean of zero: every assignment is as far from zero
        return SignFlip(1.0, True, n, floor)
    moving = [d for d in diffs if d != 0]  # the zeros change no sum
    m = len(moving)
    if m <= EXACT_MAX:
        half = m // 2
        left, right = _sums(moving[:half]), sorted(_sums(moving[half:]))
        hits = 0
        for a in left:  # |a + b| >= observed  <=>  b >= observed - a  or  b <= -observed - a
            hits += len(right) - bisect.bisect_left(right, observed - a)
            hits += bisect.bisect_right(right, -observed - a)
        return SignFlip(hits / 2**m, True, n, floor)
    rng = random.Random(seed)
    hits = sum(
        abs(sum(d if rng.random() < 0.5 else -d for d in moving)) >= observed
        for _ in range(MONTE_CARLO)
    )
    return SignFlip((hits + 1) / (MONTE_CARLO + 1), False, n, floor)


def _t_two_sided_mass(t: float, df: int) -> float:
    """P(|T| <= t) for Student's T with integer ``df`` (the finite series of the t law)."""
    theta = math.atan(t / math.sqrt(df))
    s, c2 = math.sin(theta), math.cos(theta) ** 2
    if df % 2 == 0:
        term, total = 1.0, 1.0
        for k in range(1, df // 2):
            term *= c2 * (2 * k - 1) / (2 * k)
            total += term
        return s * total
    if df == 1:
        return 2 * theta / math.pi
    term, total = 1.0, 1.0
    for k in range(1, (df - 1) // 2):
        term *= c2 * (2 * k) / (2 * k + 1)
        total += term
    return 2 / math.pi * (theta + s * math.cos(theta) * total)


def t_quantile(confidence: float, df: int) -> float:
    """The t with P(|T| <= t) = ``confidence`` for ``df`` degrees of freedom (bisection)."""
    if df < 1 or not 0 < confidence < 1:
        raise ValueError("t_quantile needs df >= 1 and 0 < confidence < 1")
    low, high = 0.0, 1.0
    while _t_two_sided_mass(high, df) < confidence:
        high *= 2
    for _ in range(200):
        mid = (low + high) / 2
        low, high = (mid, high) if _t_two_sided_mass(mid, df) < confidence else (low, mid)
    return (low + high) / 2


@dataclass(frozen=True)
class TInterval:
    """A mean with its t interval over ``n`` values (nan bounds below 2 values)."""

    mean: float
    low: float
    high: float
    n: int


def t_interval(values: Sequence[float], confidence: float = 0.95) -> TInterval:
    """The mean of ``values`` and its two-sided Student t interval."""
    n = len(values)
    if n < 2:
        mean = values[0] if n else math.nan
        return TInterval(mean, math.nan, math.nan, n)
    mean = sum(values) / n
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1))
    half = t_quantile(confidence, n - 1) * sd / math.sqrt(n)
    return TInterval(mean, mean - half, mean + half, n)
