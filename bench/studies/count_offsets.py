"""How far entities' filter counts sit from the memoryless estimate a cheat forms from priors.

    PYTHONPATH=. python bench/studies/count_offsets.py [--tiers lite,standard] [--seeds 200]

For every filter-count question of seeds 0..N-1, the offset of its gold from
``cheats.independence_count`` with the documents seen before the question (a counter an agent
keeps from the event kinds) in place of the entity count: (documents seen) x (the enum value's
prior weight) x (the prior range's share past the threshold), rounded. Prints per tier the
questions, every offset's share, and the best offset's share with its one-sided 95 % Wilson
lower end: a cheat answering the estimate plus that offset scores that share of the kind.
"""

from __future__ import annotations

import argparse
from collections import Counter

from template_guessability import lower_bound

from memgym.simulation.cheats import independence_count
from memgym.tracks import get_track, stream_events


def offsets(tier: str, seeds: int) -> Counter[int]:
    """gold - estimate for every filter-count question of seeds 0..seeds-1 of ``tier``."""
    track = get_track("entities")
    found: Counter[int] = Counter()
    for seed in range(seeds):
        scenario = track.generate(seed, tier)
        priors = track.priors(scenario.params)
        documents = 0
        for event in stream_events(scenario):
            q = event.question
            if q is None:
                documents += event.kind == "document"
            elif q.kind == "filter_count" and isinstance(q.answer, int):
                estimate = independence_count(priors, q.spec, documents)
                assert estimate is not None
                found[q.answer - estimate] += 1
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--tiers", default="lite,standard")
    parser.add_argument("--seeds", type=int, default=200)
    args = parser.parse_args()
    for tier in args.tiers.split(","):
        found = offsets(tier, args.seeds)
        n = sum(found.values())
        best, hits = found.most_common(1)[0]
        shares = " ".join(f"{k:+d}:{found[k] / n:.3f}" for k in sorted(found))
        print(f"{tier}: {n} questions; offsets {shares}")
        print(
            f"{tier}: best offset {best:+d} holds {hits}/{n} = {hits / n:.3f} "
            f"(Wilson 95 % lower {lower_bound(hits, n):.3f})"
        )


if __name__ == "__main__":
    main()
