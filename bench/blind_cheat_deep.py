"""A stronger entity-blind memory than the suite's ``stream_attribute_learned``: position rules
to a deeper place from either end (default 80; the suite counts to ``cheats.DEPTH``) plus the
suite's frequency rules, learned per question template on more training seeds (default 50, seeds
5000+; the suite uses 10), scored on seeds 0..N-1. Prints, per track and tier, the share of the
gold questions it answers (a composite cannot exceed it by much) and its best template.

    python bench/blind_cheat_deep.py --tracks entities,research,codeqa,dialogue \\
        --tiers lite,standard,hard --train 50 --test 30 --depth 80
"""

from __future__ import annotations

import argparse
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence

from memgym.scoring.reading import answer_names
from memgym.scoring.validators import is_correct
from memgym.simulation.cheats import (
    POSITION_RULES,
    _kth_distinct,
    _kth_first,
    _kth_last,
    sightings,
    template_key,
)
from memgym.tracks import get_track

TRAIN_BASE = 5000


def rules(depth: int) -> dict[str, Callable[[Sequence[str]], str]]:
    """The suite's frequency rules and the place rules counted to ``depth``."""
    out = {name: rule for name, rule in POSITION_RULES.items() if "@" in name}
    for k in range(1, depth + 1):
        out[f"last{k}"] = _kth_last(k)
        out[f"first{k}"] = _kth_first(k)
        out[f"distinct{k}"] = _kth_distinct(k, latest=True)
        out[f"first_distinct{k}"] = _kth_distinct(k, latest=False)
    return out


def questions(
    track_name: str, tier: str, seeds: range
) -> Iterator[tuple[str, object, object, object]]:
    """(template, gold, sighting, answer names) of every question with a gold answer."""
    track = get_track(track_name)
    for seed in seeds:
        scenario = track.generate(seed, tier)
        names = answer_names(scenario)
        for gold, sighting in sightings(track, scenario):
            if gold.answer is not None:
                yield template_key(gold.spec, False), gold, sighting, names


def measure(track: str, tier: str, train: int, test: int, depth: int) -> str:
    family = rules(depth)
    learned: dict[str, Counter[str]] = defaultdict(Counter)
    for template, gold, s, names in questions(track, tier, range(TRAIN_BASE, TRAIN_BASE + train)):
        marked: dict[str, bool] = {}
        for name, rule in family.items():
            answer = rule(s.attribute_values)  # type: ignore[attr-defined]
            if not answer:
                continue
            if answer not in marked:
                marked[answer] = is_correct(gold, answer, names)  # type: ignore[arg-type]
            if marked[answer]:
                learned[template][name] += 1
                learned["*"][name] += 1
    hits, asked = Counter[str](), Counter[str]()
    for template, gold, s, names in questions(track, tier, range(test)):
        asked[template] += 1
        counts = learned.get(template) or learned["*"]
        if not counts:
            continue
        answer = family[counts.most_common(1)[0][0]](s.attribute_values)  # type: ignore[attr-defined]
        hits[template] += bool(answer) and is_correct(gold, answer, names)  # type: ignore[arg-type]
    total = sum(asked.values())
    best = max(asked, key=lambda t: (hits[t] / asked[t], asked[t])) if asked else "-"
    return (
        f"{track} {tier}: {sum(hits.values()) / max(1, total):.3f} of {total} gold questions"
        f" (best template {hits[best]}/{asked[best]}: {best})"
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
