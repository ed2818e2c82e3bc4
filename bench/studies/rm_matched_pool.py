"""Choose the matched set ``memgym rm rank --matched`` compares, from replay alone.

    python bench/studies/rm_matched_pool.py [--seed 200] [--seeds 10] [--workers 1] [--cache DIR]

Labels every compaction of a pool of strategies at matched budgets (900 and 1,500 tokens) by
replay on seeds neither the MemRM dataset (0-29) nor ``rm rank`` (100-) uses, and prints per
strategy the replay harm per episode (mean and its seed standard error) beside the three counts
(compactions, fact-dropping compactions, tokens dropped), then every set of ``--size`` whose
counts are matched (largest over smallest at most ``--ratio`` on each count) with replay's
agreement with itself, best first. No model is read: which strategies to rank is decided before
MemRM is.
"""

from __future__ import annotations

import argparse
import itertools
from functools import partial

import numpy as np

from memgym.rmdata.dataset import MATCHED_TRACKS, parallel_map
from memgym.rmdata.rank import BASELINES, EpisodeHarm, count_matrix, episode_harms, replay_agreement

POOL = (
    "window:max_tokens=900",
    "window:max_tokens=1500",
    "relevance:max_tokens=900",
    "relevance:max_tokens=900,first=relevant",
    "summary:max_tokens=900",
    "summary:max_tokens=1500",
    "pipeline:stages=mask(keep=2)+window(max_tokens=900)",
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=200)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--size", type=int, default=4)
    parser.add_argument("--ratio", type=float, default=1.25)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--cache", default=None)
    parser.add_argument("--track", action="append", default=None, help="default: MATCHED_TRACKS")
    parser.add_argument("--strategy", action="append", default=None, help="default: POOL")
    args = parser.parse_args()
    pool = tuple(args.strategy or POOL)
    seeds = list(range(args.seed, args.seed + args.seeds))
    tracks = args.track or list(MATCHED_TRACKS)
    jobs = [(t, s) for t in tracks for s in seeds]
    episodes: list[EpisodeHarm] = []
    run = partial(episode_harms, None, list(pool), None, cache=args.cache)
    for harms in parallel_map(run, jobs, args.workers):
        episodes.extend(harms)
    replay = count_matrix(episodes, pool, seeds, "harmful")
    counts = {name: count_matrix(episodes, pool, seeds, name) for name in BASELINES}
    per_ep = len(tracks)
    spread = (replay.max(axis=0) - replay.min(axis=0)) / per_ep
    print(
        f"replay harm per episode: spread between strategies within a seed {spread.mean():.2f},"
        f" spread between seeds {np.ptp(replay.mean(axis=0)) / per_ep:.2f}"
    )
    print(f"{'strategy':<55} {'harm/ep':>8} {'se':>6} " + " ".join(f"{n:>16}" for n in BASELINES))
    for i, s in enumerate(pool):
        harm = replay[i] / per_ep
        se = harm.std(ddof=1) / np.sqrt(len(seeds))
        cells = " ".join(f"{counts[n][i].mean() / per_ep:>16.1f}" for n in BASELINES)
        print(f"{s:<55} {harm.mean():>8.2f} {se:>6.2f} {cells}")
    scored = []
    for subset in itertools.combinations(range(len(pool)), args.size):
        idx = list(subset)
        matched = all(
            counts[n][idx].sum(axis=1).max() <= args.ratio * counts[n][idx].sum(axis=1).min()
            for n in BASELINES
        )
        if matched:
            scored.append((replay_agreement(replay[idx]), [pool[i] for i in idx]))
    scored.sort(key=lambda x: -x[0])
    print(f"{len(scored)} matched sets of {args.size} (count ratio <= {args.ratio}); best:")
    for agreement, names in scored[:8]:
        print(f"  {agreement:.3f}  {' | '.join(names)}")


if __name__ == "__main__":
    main()
