"""Choose the strategies ``memgym rm rank`` compares by default, from replay alone.

    python bench/studies/rm_rank_pool.py [--seed 200] [--seeds 10] [--size 8] [--workers 2] [--top 5]

Labels every compaction of a pool of strategies by replay on seeds that neither the MemRM
dataset (0-29) nor ``rm rank`` (100-) uses, then scores every set of ``--size`` strategies that
has every kind and no two strategies with identical replay outcomes (they cannot be ordered) by
replay's agreement with itself: the mean Kendall tau between the replay rankings of disjoint
random halves of the seeds. Prints the pool's replay harms, the best sets and the union of
those tied for best: that union is ``RANK_STRATEGIES``. No model is read: which strategies to
rank is decided before MemRM is.
"""

from __future__ import annotations

import argparse
import itertools
import sys
import time
from functools import partial

import numpy as np

from memgym.rmdata.dataset import DEFAULT_TRACKS, parallel_map
from memgym.rmdata.rank import EpisodeHarm, episode_harms, harm_matrices, replay_agreement

POOL = (
    "window:max_tokens=400",
    "window:max_tokens=700",
    "window:max_tokens=1000",
    "window:max_tokens=1500",
    "window:max_tokens=2500",
    "window:max_tokens=4000",
    "window:max_tokens=6000",
    "mask:keep=2",
    "mask:keep=8",
    "mask:keep=20",
    "mask:keep=40",
    "summary:max_tokens=1000",
    "summary:max_tokens=1500",
    "summary:max_tokens=3000",
    "summary:max_tokens=6000",
    "pipeline:stages=mask(keep=2)+window(max_tokens=1200)",
    "pipeline:stages=mask(keep=10)+window(max_tokens=4000)",
)


def kind(strategy: str) -> str:
    """The memory kind of a spec (``window``, ``mask`` ...)."""
    return strategy.split(":", 1)[0]


def best_sets(
    replay: np.ndarray, pool: tuple[str, ...], size: int, rounds: int = 100
) -> list[tuple[float, tuple[str, ...]]]:
    """Every eligible set of ``size`` strategies with its replay self-agreement, best first
    (``replay``: pool x seeds HARMFUL counts)."""
    kinds = {kind(s) for s in pool}
    rows = {s: replay[i] for i, s in enumerate(pool)}
    scored = []
    for chosen in itertools.combinations(pool, size):
        if {kind(s) for s in chosen} != kinds:
            continue
        if len({tuple(rows[s]) for s in chosen}) < size:
            continue
        matrix = np.asarray([rows[s] for s in chosen])
        scored.append((replay_agreement(matrix, rounds=rounds), chosen))
    scored.sort(key=lambda item: (-item[0], item[1]))
    return scored


def tied_union(
    scored: list[tuple[float, tuple[str, ...]]], replay: np.ndarray, pool: tuple[str, ...]
) -> list[str]:
    """Every strategy of the sets tied with the best (no replay-only reason to prefer one),
    most harmful first."""
    if not scored:
        return []
    best = scored[0][0]
    members = {s for agreement, chosen in scored if agreement == best for s in chosen}
    total = {s: float(replay[i].sum()) for i, s in enumerate(pool)}
    return sorted(members, key=lambda s: (-total[s], s))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=200, help="first seed (default 200)")
    parser.add_argument("--seeds", type=int, default=10, help="number of seeds (default 10)")
    parser.add_argument("--size", type=int, default=8, help="strategies per set (default 8)")
    parser.add_argument("--workers", type=int, default=2, help="processes (default 2)")
    parser.add_argument("--top", type=int, default=5, help="sets printed (default 5)")
    args = parser.parse_args()
    if args.seeds < 2 or not 1 <= args.size <= len(POOL):
        parser.error(f"--seeds must be at least 2 and --size in 1..{len(POOL)}")
    seeds = list(range(args.seed, args.seed + args.seeds))
    start = time.perf_counter()
    episodes: list[EpisodeHarm] = []
    jobs = [(t, s) for t in DEFAULT_TRACKS for s in seeds]
    run = partial(episode_harms, None, list(POOL), None)
    for done, harms in enumerate(parallel_map(run, jobs, args.workers), 1):
        episodes.extend(harms)
        print(f"replayed {done}/{len(jobs)} scenarios", file=sys.stderr, flush=True)
    replay, _ = harm_matrices(episodes, POOL, seeds)
    print(f"pool replay on seeds {seeds[0]}-{seeds[-1]} ({time.perf_counter() - start:.0f} s):")
    for strategy, row in sorted(zip(POOL, replay, strict=True), key=lambda x: -x[1].sum()):
        print(f"  {row.sum():5.0f} HARMFUL  {strategy}")
    scored = best_sets(replay, POOL, args.size)
    print(f"{len(scored)} eligible sets of {args.size}; best by replay's agreement with itself:")
    for agreement, chosen in scored[: args.top]:
        print(f"  {agreement:.3f}  " + ", ".join(chosen))
    print("the union of the sets tied for best, most harmful first:")
    for strategy in tied_union(scored, replay, POOL):
        print(f"  {strategy}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
