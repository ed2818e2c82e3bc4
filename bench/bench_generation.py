"""Scenario generation speed of the entities track, per tier, against a naive baseline.

Run: ``python bench/bench_generation.py [--seeds 50] [--repeats 3]``. For each tier it prints the
median wall time of ``track.generate(seed, tier)`` over the seeds (each seed timed ``repeats``
times, the fastest kept, to shed scheduler noise), the median time of the naive baseline, and
their ratio. The baseline is re-validating the very same scenario from its JSON with
``Scenario.model_validate_json``: the cost of merely building the result through pydantic
validation, before any generation work.
"""

from __future__ import annotations

import argparse
import statistics
import time

from memgym.tracks import get_track
from memgym.types import Scenario

TARGET_MS = {"standard": 1.0, "hard": 5.0}


def _fastest(fn, repeats: int) -> float:  # type: ignore[no-untyped-def]
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def bench_tier(tier: str, seeds: int, repeats: int) -> tuple[float, float, int]:
    """(median generate ms, median baseline ms, facts in the last scenario) for ``tier``."""
    track = get_track("entities")
    for seed in range(5):  # warm-up: imports, caches, allocator
        track.generate(seed, tier)
    generate, baseline = [], []
    scenario = None
    for seed in range(seeds):
        generate.append(_fastest(lambda seed=seed: track.generate(seed, tier), repeats))
        scenario = track.generate(seed, tier)
        payload = scenario.model_dump_json()
        rebuilt = Scenario.model_validate_json(payload)
        assert rebuilt.canonical_json() == scenario.canonical_json(), (
            "generated scenario does not round-trip"
        )
        baseline.append(
            _fastest(lambda payload=payload: Scenario.model_validate_json(payload), repeats)
        )
    assert scenario is not None
    return statistics.median(generate) * 1e3, statistics.median(baseline) * 1e3, len(scenario.facts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=50)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    print(
        f"{'tier':10s} {'facts':>6s} {'generate ms':>12s} {'validate ms':>12s} {'ratio':>7s} {'target':>8s}"
    )
    for tier in ("lite", "standard", "hard", "multi"):
        gen_ms, base_ms, facts = bench_tier(tier, args.seeds, args.repeats)
        target = f"{TARGET_MS[tier]:.1f} ms" if tier in TARGET_MS else "-"
        print(
            f"{tier:10s} {facts:6d} {gen_ms:12.3f} {base_ms:12.3f} {gen_ms / base_ms:6.2f}x {target:>8s}"
        )


if __name__ == "__main__":
    main()
