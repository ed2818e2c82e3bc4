"""Wall time of ``memgym validate --seeds 10`` over every template at the standard tier.

Prints the run on 1 worker and on 2 workers (the same work; the ratio is the parallel speed-up)
and the time per episode. Target: ≤ 1.5 s for the whole run; the older MemoryGym's equivalent
(10 seeds x 10 templates x 9 strategies) took about 150 s on this 2-core machine.

    python bench/bench_validate.py [--seeds 10] [--tiers standard]
"""

from __future__ import annotations

import argparse
import time

from memgym.simulation.policies import POLICIES
from memgym.simulation.validate import CHEATS, validate
from memgym.tracks.entities.templates import TEMPLATES

TARGET_S = 1.5
MEMORYGYM_S = 150.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--tiers", default="standard")
    args = parser.parse_args()
    templates = sorted(TEMPLATES)
    tiers = args.tiers.split(",")
    seeds = list(range(args.seeds))
    runs = len(POLICIES) + len([c for c in CHEATS if c not in POLICIES])
    episodes = len(templates) * len(tiers) * len(seeds) * runs
    print(
        f"validate: {len(templates)} templates x {tiers} x {len(seeds)} seeds x {runs} policies and cheats = {episodes} episodes"
    )
    timings = {}
    for workers in (1, 2):
        start = time.perf_counter()
        reports = validate(["entities"], tiers, seeds, workers=workers, templates=templates)
        timings[workers] = time.perf_counter() - start
        ok = all(r.passed for r in reports)
        print(
            f"  workers={workers}: {timings[workers]:.2f} s  ({1000 * timings[workers] / episodes:.3f} ms/episode)  invariants {'pass' if ok else 'FAIL'}"
        )
    best = min(timings.values())
    print(f"parallel speed-up (1 vs 2 workers): {timings[1] / timings[2]:.2f}x")
    print(
        f"best wall time {best:.2f} s vs target {TARGET_S} s: {'met' if best <= TARGET_S else 'MISSED'}"
    )
    print(f"vs MemoryGym's ~{MEMORYGYM_S:.0f} s on this machine: {MEMORYGYM_S / best:.0f}x faster")


if __name__ == "__main__":
    main()
