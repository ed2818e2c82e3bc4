"""Chosen bounded members and the evidence concentration of one track and tier over many seeds.

``memgym validate`` judges a bounded member on one ten-seed set; a member near the bar on one
set may be far under it on average, or the reverse. This scores the members named (the bounded
family's ``bounded_family.mark`` and ``bounded.composite``, the learned ones with the selector
validate fits) on ``--seeds`` seeds, salted as ``MEMGYM_SALT`` would salt them or not, and prints
each member's mean composite, its worst ten-seed set and its mean held share, then the gold's
concentration (best event, best three: ``memgym.simulation.concentration``)::

    PYTHONPATH=. python bench/studies/bounded_sets.py --track codeqa --tier lite \\
        --salt s5-h66b-study --seeds 100 --members reservoir4:any,reservoir16:any,learned500
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Sequence

from learned_members import parse_overrides

from memgym.salt import evaluation_seed
from memgym.simulation.bounded import composite
from memgym.simulation.bounded_family import CLASSES, Member, family, mark
from memgym.simulation.concentration import concentration
from memgym.simulation.learned_selector import fitted
from memgym.tracks import get_track

SET = 10
"""Seeds per set: validate's ``--seeds 10``."""


def members(text: str) -> list[Member]:
    """Members by name; ``reservoir16:*`` names every class of that rule and size."""
    by_name = {m.name: m for m in family(True)}
    out: list[Member] = []
    for name in filter(None, text.split(",")):
        if name.endswith(":*"):
            out += [by_name[f"{name[:-2]}:{c}"] for c in CLASSES if f"{name[:-2]}:{c}" in by_name]
        else:
            out.append(by_name[name])
    return out


def main(argv: Sequence[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--track", default="codeqa")
    p.add_argument("--tier", default="lite")
    p.add_argument("--salt", default="", help="salt text; empty: public seeds")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--seeds", type=int, default=100)
    p.add_argument("--members", default="reservoir4:any,reservoir16:*,learned250,learned500")
    p.add_argument("--set", dest="params", default="", help="generator overrides k=v,k=v")
    args = p.parse_args(argv)
    start = time.process_time()
    t = get_track(args.track)
    chosen = members(args.members)
    overrides = parse_overrides(args.params)
    learned = any(m.rule == "learned" for m in chosen)
    selector = fitted(args.track, args.tier, tuple(sorted(overrides.items()))) if learned else None
    key = args.salt.encode() if args.salt else None
    values: list[list[float]] = [[] for _ in chosen]
    held: list[list[float]] = [[] for _ in chosen]
    best, few, aurocs = [], [], []
    for seed in range(args.seed, args.seed + args.seeds):
        judged = seed if key is None else evaluation_seed(args.track, seed, key)
        scenario = t.generate(judged, args.tier, **overrides)
        c = concentration(scenario)
        best.append(c.best)
        few.append(c.best_few)
        marked = mark(t, scenario, chosen, selector)
        if marked.auroc is not None:
            aurocs.append(marked.auroc)
        for j in range(len(chosen)):
            values[j].append(composite(marked.axes, [bool(r[j]) for r in marked.correct]))
            held[j].append(marked.share(j))
    for m, v, h in zip(chosen, values, held, strict=True):
        sets = [statistics.fmean(v[i : i + SET]) for i in range(0, len(v) - SET + 1, SET)]
        print(
            f"{m.name:22s} mean {statistics.fmean(v):.4f}  worst set {max(sets):.3f}"
            f"  sets>0.04 {sum(s > 0.04 for s in sets)}/{len(sets)}  held {statistics.fmean(h):.2%}"
        )
    auroc = f"{statistics.fmean(aurocs):.3f}" if aurocs else "n/a"
    print(
        f"best event mean {statistics.fmean(best):.3f} (largest {max(best):.3f}); best 3"
        f" {statistics.fmean(few):.3f}; AUROC {auroc}; {time.process_time() - start:.1f} s CPU"
    )


if __name__ == "__main__":
    main()
