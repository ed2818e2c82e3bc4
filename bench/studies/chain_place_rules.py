"""How far codeqa's call-chain question can be guessed from function names and their places.

For each call-chain question it takes the functions the stream has defined before it (their
names in first-seen order: what a memory that keeps names but no call relation holds) and
checks every place rule on the unknown part of the chain (the functions between the two the
question names): a rule guesses k middle functions, each the i-th name first seen, the i-th
from the end (names other than the two endpoints; i up to ``--depth``), or the name o places
before or after either endpoint (o up to ``--depth``). Prints per tier the chain lengths asked,
the chain questions per scenario and what else the reasoning axis asked, the names to pick
from, and the best rule's share of the chain questions (a rule that must guess more names
cannot hit chains of another length).

    python bench/studies/chain_place_rules.py --tiers lite,standard,hard --seeds 300
"""

from __future__ import annotations

import argparse
from collections import Counter
from itertools import product

from memgym.tracks import get_track, stream_events


def _slots(
    name: str, names: list[str], pool: list[str], ends: tuple[str, str], depth: int
) -> list[str]:
    """Every place descriptor that picks ``name``: from either end of ``pool``, or an offset
    from either endpoint's place in ``names``."""
    out: list[str] = []
    if name in pool:
        i = pool.index(name)
        if i < depth:
            out.append(f"first{i + 1}")
        if len(pool) - i <= depth:
            out.append(f"last{len(pool) - i}")
    if name in names:
        at = names.index(name)
        for label, end in zip("AC", ends, strict=True):
            if end in names and 0 < abs(at - names.index(end)) <= depth:
                out.append(f"{label}{at - names.index(end):+d}")
    return out


def _ordered(pool: int, k: int) -> float:
    """The chance that a uniform guess of ``k`` distinct names of ``pool`` in order is right."""
    ways = 1
    for i in range(k):
        ways *= max(1, pool - i)
    return 1 / ways


def measure(tier: str, start: int, seeds: int, depth: int) -> list[str]:
    """Figures for one tier over seeds ``start`` .. ``start + seeds - 1``."""
    track = get_track("codeqa")
    lengths: Counter[int] = Counter()
    hits: Counter[tuple[str, ...]] = Counter()
    reasoning: Counter[str] = Counter()
    per_scenario: Counter[int] = Counter()
    pools: list[int] = []
    uniform = 0.0
    asked = 0
    for seed in range(start, start + seeds):
        scenario = track.generate(seed, tier)
        names: list[str] = []
        chains = 0
        for event in stream_events(scenario):
            question = event.question
            if question is None:
                for claim in track.read(event.text):
                    entity = claim.entity
                    if claim.attribute == "module" and not entity.isupper() and entity not in names:
                        names.append(entity)
                continue
            if question.axis == "reasoning":
                reasoning[question.kind] += 1
            if question.kind != "call_chain":
                continue
            chain = str(question.answer).split(" -> ")
            lengths[len(chain)] += 1
            chains += 1
            asked += 1
            ends = (chain[0], chain[-1])
            pool = [n for n in names if n not in ends]
            pools.append(len(pool))
            uniform += _ordered(len(pool), len(chain) - 2)
            picks = [_slots(m, names, pool, ends, depth) for m in chain[1:-1]]
            hits.update(product(*picks))
        per_scenario[chains] += 1
    best, count = hits.most_common(1)[0] if hits else ((), 0)
    short = sum(v for n, v in lengths.items() if n < 4)
    share = asked / max(1, seeds)
    by_count = dict(sorted(per_scenario.items()))
    mean_pool = sum(pools) / max(1, len(pools))
    rule = " -> ".join(best) or "-"
    return [
        (
            f"{tier} seeds {start}-{start + seeds - 1}: {asked} chain questions ({share:.2f} per"
            f" scenario; scenarios by count {by_count})"
        ),
        (
            f"  chain length (functions) {dict(sorted(lengths.items()))}; one unknown function:"
            f" {short} ({short / max(1, asked):.1%})"
        ),
        f"  reasoning questions by kind {dict(sorted(reasoning.items()))}",
        (
            f"  names to pick from (endpoints excluded): mean {mean_pool:.1f}, min"
            f" {min(pools, default=0)}; a uniform guess of the right number in order"
            f" {uniform / max(1, asked):.1%}"
        ),
        (
            f"  best place rule (depth {depth}): {rule} holds {count} of {asked}"
            f" ({count / max(1, asked):.1%})"
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tiers", default="lite,standard,hard")
    parser.add_argument("--start", type=int, default=0)
    parser.add_argument("--seeds", type=int, default=300)
    parser.add_argument("--depth", type=int, default=80)
    args = parser.parse_args()
    for tier in args.tiers.split(","):
        print("\n".join(measure(tier, args.start, args.seeds, args.depth)), flush=True)


if __name__ == "__main__":
    main()
