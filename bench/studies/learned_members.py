"""Validate's own learned members (``learned250/500/1000``) on many seed sets, salted or not.

``memgym validate`` fits its learned selector once per track and tier
(``memgym.simulation.learned_selector.fitted``) and scores the members with the bounded family
(``bounded_family.mark``, ``bounded.composite``). This runs exactly that, and only that, on
each seed set named: ``public`` (the seeds as they are) or a salt's text (the seeds salted as
``MEMGYM_SALT`` would salt them), so a generator change can be weighed on many sets at the cost
of the learned members alone. Per set: each member's mean composite (the largest one scenario
gave; the mean share of the stream it held) and the evidence AUROC::

    PYTHONPATH=. python bench/studies/learned_members.py --track codeqa --tier standard \\
        --sets public,s2-h66-gen-final,h44-final --seeds 10 --seed 0
"""

from __future__ import annotations

import argparse
import statistics
from collections.abc import Sequence
from typing import Any

from memgym.salt import evaluation_seed
from memgym.simulation.bounded import composite
from memgym.simulation.bounded_family import Member, mark
from memgym.simulation.learned_selector import SELECTOR_BUDGETS, fitted
from memgym.tracks import get_track


def parse_overrides(text: str) -> dict[str, Any]:
    """``k=v,k=v`` as a dict (integers parsed)."""
    out: dict[str, Any] = {}
    for part in filter(None, text.split(",")):
        key, _, value = part.partition("=")
        out[key] = int(value) if value.lstrip("-").isdigit() else value
    return out


def run_set(
    track: str, tier: str, salt: str | None, seeds: Sequence[int], overrides: dict[str, Any]
) -> str:
    """One line: each learned member's mean composite (max, held) and the mean AUROC."""
    t = get_track(track)
    members = [Member("learned", budget) for budget in SELECTOR_BUDGETS]
    selector = fitted(track, tier, tuple(sorted(overrides.items())))
    key = None if salt is None else salt.encode()
    values: list[list[float]] = [[] for _ in members]
    held: list[list[float]] = [[] for _ in members]
    aurocs = []
    for seed in seeds:
        judged = seed if key is None else evaluation_seed(track, seed, key)
        scenario = t.generate(judged, tier, **overrides)
        marked = mark(t, scenario, members, selector)
        for j in range(len(members)):
            values[j].append(composite(marked.axes, [bool(row[j]) for row in marked.correct]))
            held[j].append(marked.share(j))
        if marked.auroc is not None:
            aurocs.append(marked.auroc)
    cells = [
        f"{m.name} {statistics.fmean(v):.3f} (max {max(v):.3f}, {statistics.fmean(h):.1%})"
        for m, v, h in zip(members, values, held, strict=True)
    ]
    auroc = f"{statistics.fmean(aurocs):.3f}" if aurocs else "n/a"
    return f"{salt or 'public'}: " + "; ".join(cells) + f"; AUROC {auroc}"


def main(argv: Sequence[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--track", default="codeqa")
    p.add_argument("--tier", default="standard")
    p.add_argument("--sets", default="public", help="comma-separated: public or salt texts")
    p.add_argument("--seeds", type=int, default=10, help="seeds per set")
    p.add_argument("--seed", type=int, default=0, help="first seed")
    p.add_argument("--set", dest="params", default="", help="overrides k=v,k=v")
    args = p.parse_args(argv)
    seeds = range(args.seed, args.seed + args.seeds)
    for name in args.sets.split(","):
        salt = None if name == "public" else name
        line = run_set(args.track, args.tier, salt, seeds, parse_overrides(args.params))
        print(line, flush=True)


if __name__ == "__main__":
    main()
