"""A stronger entity-blind memory than the suite's ``stream_attribute_learned``: the same rules
and the same choice (``cheats.learned_rule``), with place rules counted deeper from either end
(default 80; the suite counts to ``cheats.DEPTH``) and learned on more training seeds (default
50, seeds 5000+; the suite uses 10), scored on seeds 0..N-1. Prints, per track and tier, the
share of the gold questions it answers (a composite cannot exceed it by much) and its best
template.

    python bench/studies/blind_cheat_deep.py --tracks entities,research,codeqa,dialogue \\
        --tiers lite,standard,hard --train 50 --test 30 --depth 80
"""

from __future__ import annotations

import argparse
from collections import Counter

from memgym.scoring.reading import answer_names
from memgym.scoring.validators import is_correct
from memgym.simulation.cheats import (
    learn_rules,
    learned_rule,
    position_rules,
    sightings,
    template_key,
)
from memgym.tracks import get_track

TRAIN_BASE = 5000


def measure(track_name: str, tier: str, train: int, test: int, depth: int) -> str:
    track = get_track(track_name)
    rules = position_rules(depth)
    learned: dict[str, Counter[str]] = {}
    for seed in range(TRAIN_BASE, TRAIN_BASE + train):
        learn_rules(track, track.generate(seed, tier), learned, rules)
    hits, asked = Counter[str](), Counter[str]()
    for seed in range(test):
        scenario = track.generate(seed, tier)
        names = answer_names(scenario)
        for gold, s in sightings(track, scenario):
            if gold.answer is None:
                continue
            template = template_key(gold.spec, False)
            asked[template] += 1
            name = learned_rule(learned, gold.spec)
            answer = rules[name](s.attribute_values) if name else ""
            hits[template] += bool(answer) and is_correct(gold, answer, names)
    total = sum(asked.values())
    best = max(asked, key=lambda t: (hits[t] / asked[t], asked[t])) if asked else "-"
    return (
        f"{track_name} {tier}: {sum(hits.values()) / max(1, total):.3f} of {total} gold"
        f" questions (best template {hits[best]}/{asked[best]}: {best})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tracks", default="entities,research,codeqa,dialogue")
    parser.add_argument("--tiers", default="lite,standard,hard")
    parser.add_argument("--train", type=int, default=50, help="training seeds (5000+)")
    parser.add_argument("--test", type=int, default=30, help="scored seeds 0..N-1")
    parser.add_argument("--depth", type=int, default=80, help="deepest place counted")
    args = parser.parse_args()
    for track in args.tracks.split(","):
        for tier in args.tiers.split(","):
            print(measure(track, tier, args.train, args.test, args.depth), flush=True)


if __name__ == "__main__":
    main()
