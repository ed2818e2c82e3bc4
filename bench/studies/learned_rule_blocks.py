"""How much of the suite's learned entity-blind rule is the luck of its training seeds: the
``stream_attribute_learned`` composite over fixed test seeds, once per training block.

The suite learns its place rule on ``cheats.TRAIN_SEEDS`` seeds from ``cheats.TRAIN_BASE``; a
salt moves those seeds, so a validated set meets a rule learned on other seeds each time. This
learns the rule on each of ``--bases`` (one block of ``TRAIN_SEEDS`` seeds each), scores it on
``--seeds`` test seeds from ``--seed`` (tuning seeds: 5000+), and prints per block the mean and
the worst 10-seed set's mean, then how many 10-seed sets over every block pass the cheat bound:

    PYTHONPATH=. python bench/studies/learned_rule_blocks.py --track dialogue --tier lite \\
        --seed 5000 --seeds 100 --bases 1000000,2000000,3000000,4000000,6000000,7000000

``--set KEY=VALUE`` overrides a track parameter (``--set questions=12``); ``--cheat NAME``
scores another learning cheat of the suite the same way (``template_gold``: the commonest gold
of the question's template on the training block).
"""

from __future__ import annotations

import argparse
import statistics
from collections.abc import Mapping, Sequence
from typing import Any

from memgym.simulation import cheats
from memgym.tracks import get_track

CHEAT = "stream_attribute_learned"
SET = 10
"""Seeds per validated set (``memgym validate --seeds 10``)."""


def block_scores(
    track_name: str,
    tier: str | None,
    seeds: Sequence[int],
    bases: Sequence[int],
    overrides: Mapping[str, Any],
    cheat: str = CHEAT,
) -> dict[int, list[float]]:
    """Training base -> ``cheat``'s composite on each of ``seeds``, what it learns learned
    there."""
    track = get_track(track_name)
    scenarios = [track.generate(seed, tier, **dict(overrides)) for seed in seeds]
    out: dict[int, list[float]] = {}
    kept = cheats.TRAIN_BASE
    try:
        for base in bases:
            cheats.TRAIN_BASE = base  # ``cheats.learn`` reads it at call time
            learned = cheats.learn(track, tier, overrides)
            out[base] = [
                cheats.run_cheats(track, s, learned, [cheat])[cheat].composite for s in scenarios
            ]
    finally:
        cheats.TRAIN_BASE = kept
    return out


def sets_of(scores: Sequence[float], size: int = SET) -> list[float]:
    """Means of consecutive ``size``-seed sets (a shorter tail left out)."""
    return [statistics.fmean(scores[i : i + size]) for i in range(0, len(scores) - size + 1, size)]


def parse_set(items: Sequence[str]) -> dict[str, Any]:
    """``KEY=VALUE`` overrides, integer values as ints."""
    out: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep:
            raise SystemExit(f"--set wants KEY=VALUE, got {item!r}")
        out[key] = int(value) if value.lstrip("-").isdigit() else value
    return out


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--track", default="dialogue")
    parser.add_argument("--tier", default="lite")
    parser.add_argument("--seed", type=int, default=5000, help="first test seed (tuning: 5000+)")
    parser.add_argument("--seeds", type=int, default=100)
    parser.add_argument("--bases", default="1000000,2000000,3000000,4000000,6000000,7000000")
    parser.add_argument("--set", action="append", default=[], help="a track parameter KEY=VALUE")
    parser.add_argument("--cheat", default=CHEAT, help=f"a cheat of the suite (default {CHEAT})")
    args = parser.parse_args(argv)
    if args.cheat not in cheats.CHEATS:
        raise SystemExit(f"--cheat {args.cheat!r}: not a cheat of the suite")
    bases = [int(b) for b in args.bases.split(",") if b]
    seeds = range(args.seed, args.seed + args.seeds)
    scores = block_scores(args.track, args.tier, seeds, bases, parse_set(args.set), args.cheat)
    every: list[float] = []
    for base, values in scores.items():
        sets = sets_of(values)
        every += sets
        worst = max(sets) if sets else float("nan")
        print(f"base {base}: mean {statistics.fmean(values):.4f} worst {SET}-seed set {worst:.4f}")
    means = [statistics.fmean(v) for v in scores.values()]
    over = sum(s > cheats.CHEAT_CEILING for s in every)
    print(
        f"{args.track} {args.tier} {args.cheat}: mean over blocks {statistics.fmean(means):.4f} "
        f"(range {min(means):.4f}-{max(means):.4f}); {SET}-seed sets over "
        f"{cheats.CHEAT_CEILING}: {over}/{len(every)}"
    )


if __name__ == "__main__":
    main()
