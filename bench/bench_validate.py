"""CPU of ``memgym validate --seeds 10`` over every template at the standard tier, 1 and 2 workers.

Prints the run on 1 worker and on 2 workers (the same work) as CPU seconds of this process and
every worker it waited for (``resource.getrusage``: self + children; the machine is shared, so
wall times, printed beside them, move with its load) and the CPU per episode. "met" is decided
on CPU against the base measured in the same run: 2 workers must not cost more than 1.2× the
CPU of 1 (the pool's overhead). The older MemoryGym's equivalent (10 seeds x 10 templates x 9
strategies) took about 150 s on this 2-core machine.

    python bench/bench_validate.py [--seeds 10] [--tiers standard]
"""

from __future__ import annotations

import argparse
import resource
import time

from memgym.simulation.policies import POLICIES
from memgym.simulation.validate import CHEATS, validate
from memgym.tracks.entities.templates import TEMPLATES

POOL_OVERHEAD = 1.2
MEMORYGYM_S = 150.0


def cpu() -> float:
    """CPU seconds of this process and its waited-for children."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--tiers", default="standard")
    args = parser.parse_args(argv)
    templates = sorted(TEMPLATES)
    tiers = args.tiers.split(",")
    seeds = list(range(args.seeds))
    runs = len(POLICIES) + len([c for c in CHEATS if c not in POLICIES])
    episodes = len(templates) * len(tiers) * len(seeds) * runs
    print(
        f"validate: {len(templates)} templates x {tiers} x {len(seeds)} seeds x {runs} policies "
        f"and cheats = {episodes} episodes"
    )
    spent: dict[int, float] = {}
    for workers in (1, 2):
        start, wall = cpu(), time.perf_counter()
        reports = validate(["entities"], tiers, seeds, workers=workers, templates=templates)
        spent[workers], wall = cpu() - start, time.perf_counter() - wall
        ok = all(r.passed for r in reports)
        print(
            f"  workers={workers}: {spent[workers]:.2f} s CPU ({1000 * spent[workers] / episodes:.3f}"
            f" ms/episode), {wall:.2f} s wall; invariants {'pass' if ok else 'FAIL'}"
        )
    pool = spent[2] / spent[1]
    verdict = "met" if pool <= POOL_OVERHEAD else "NOT met"
    print(f"2 workers cost {pool:.2f}x the CPU of 1 (target ≤ {POOL_OVERHEAD}x): {verdict}")
    print(f"1 worker: {spent[1]:.2f} s CPU, vs MemoryGym's ~{MEMORYGYM_S:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
