"""The exact paired tests beside train lift's bootstrap, recomputed by brute force."""

from __future__ import annotations

import itertools
import math
import random

import pytest

from memgym.train import paired
from memgym.train.paired import sign_flip_p, t_interval, t_quantile


def _brute_p(diffs: list[float]) -> float:
    """Every sign assignment enumerated: the share at least as far from zero."""
    observed = abs(sum(diffs))
    hits = sum(
        abs(sum(s * d for s, d in zip(signs, diffs, strict=True))) >= observed - 1e-12
        for signs in itertools.product((1, -1), repeat=len(diffs))
    )
    return hits / 2 ** len(diffs)


@pytest.mark.parametrize("seed", range(6))
def test_the_sign_flip_p_is_the_enumerated_share(seed: int) -> None:
    rng = random.Random(seed)
    diffs = [
        rng.choice([0.0, 0.1, -0.1, 0.25, rng.uniform(-1, 1)]) for _ in range(rng.randint(1, 11))
    ]
    flip = sign_flip_p(diffs)
    assert flip.exact and flip.p == pytest.approx(_brute_p(diffs))


def test_five_pairs_all_one_way_cannot_reach_p_below_005() -> None:
    flip = sign_flip_p([0.1, 0.05, 0.2, 0.02, 0.01])
    assert flip.p == pytest.approx(2 / 32) and flip.floor == pytest.approx(2 / 32)
    assert flip.p > 0.05
    assert sign_flip_p([0.0] * 4).p == 1.0
    assert sign_flip_p([0.3] * 6).p == pytest.approx(2 / 64)


def test_zeros_flip_to_themselves_so_forty_seeds_with_few_changes_are_exact() -> None:
    # 40 held-out seeds of which 12 changed, all one way (the GPU SFT lift's shape)
    diffs = [1.0] * 12 + [0.0] * 28
    flip = sign_flip_p(diffs)
    assert flip.exact and flip.n == 40
    assert flip.p == pytest.approx(_brute_p(diffs[:12]))  # the zeros change no assignment's sum
    assert flip.p == pytest.approx(2 / 2**12)
    mixed = [0.5, -0.25, 1.0, 0.0, 0.0, 0.75, 0.0]
    assert sign_flip_p(mixed).p == pytest.approx(_brute_p(mixed))


def test_beyond_the_exact_limit_the_p_is_estimated_close_to_the_exact_one(monkeypatch) -> None:
    diffs = [0.3, 0.1, -0.05, 0.2, 0.4, 0.0, 0.15, -0.1, 0.25, 0.05]
    exact = sign_flip_p(diffs)
    monkeypatch.setattr(paired, "EXACT_MAX", 4)
    monkeypatch.setattr(paired, "MONTE_CARLO", 40_000)
    estimate = sign_flip_p(diffs, seed=3)
    assert not estimate.exact and estimate.p == pytest.approx(exact.p, abs=0.01)


def test_the_t_quantile_and_interval_match_the_t_law() -> None:
    stats = pytest.importorskip("scipy.stats", reason="scipy comes with scikit-learn (rm extra)")
    for df in (1, 2, 3, 4, 7, 12, 19, 40):
        assert t_quantile(0.95, df) == pytest.approx(stats.t.ppf(0.975, df), rel=1e-9)
        assert t_quantile(0.9, df) == pytest.approx(stats.t.ppf(0.95, df), rel=1e-9)
    values = [0.1, 0.05, 0.2, 0.02, 0.0]
    n, mean = len(values), sum(values) / len(values)
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1))
    half = stats.t.ppf(0.975, n - 1) * sd / math.sqrt(n)
    t = t_interval(values)
    assert (t.mean, t.low, t.high) == pytest.approx((mean, mean - half, mean + half))
    assert t.low < 0 < t.high  # all five differences >= 0, and still the interval holds zero
    assert math.isnan(t_interval([1.0]).low) and t_interval([]).n == 0
