"""Validate's own learned members (``learned250/500/1000``) on many seed sets, salted or not.

``memgym validate`` fits its learned selector once per track and tier
(``memgym.simulation.learned_selector.fitted``) and scores the members with the bounded family
(``bounded_family.mark``, ``bounded.composite``). This runs exactly that, and only that, on
each seed set named: ``public`` (the seeds as they are) or a salt's text (the seeds salted as
``MEMGYM_SALT`` would salt them), so a generator change can be weighed on many sets at the cost
of the learned members alone. Per set: each member's mean composite (the largest one scenario
gave; the mean share of the stream it held) and the evidence AUROC; then, over the sets, each
member's mean of the set means, their spread, the worst set and how many sets a judged member
(holding at most ``BOUNDED_SHARE`` of the stream) scored above the bar. ``--salted N`` adds the
sets salted ``PREFIX-0`` ... ``PREFIX-(N-1)`` (``--prefix``), never run before when the prefix is
new. ``--against PARAMS`` also scores every set under those overrides (``""``: the tier as it is)
and prints, per member, the paired difference of the set means (``--set``'s minus
``--against``'s): its mean with a Student t interval, the sets it lowered and raised, and the
exact sign-flip p (``memgym.train.paired``), the right test for a generator change weighed on
the same sets::

    PYTHONPATH=. python bench/studies/learned_members.py --track codeqa --tier standard \\
        --sets public,s2-h66-gen-final,h44-final --seeds 10 --seed 0
    PYTHONPATH=. python bench/studies/learned_members.py --track dialogue --tier standard \\
        --sets "" --salted 24 --prefix s8
    PYTHONPATH=. python bench/studies/learned_members.py --track codeqa --tier hard \\
        --sets "" --salted 24 --prefix s8 --against functions=96,write_budget=11
    PYTHONPATH=. python bench/studies/learned_members.py --track codeqa --tier standard \\
        --sets "" --salted 24 --prefix s8 --train-seeds 40

``--train-seeds`` fits the selector on more seeds than validate's 10: a stronger adversary.
"""

from __future__ import annotations

import argparse
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from learned_rule_blocks import parse_set

from memgym.salt import evaluation_seed
from memgym.simulation.bounded import BOUNDED_SHARE, composite
from memgym.simulation.bounded_family import Member, mark
from memgym.simulation.cheats import CHEAT_CEILING
from memgym.simulation.learned_selector import SELECTOR_BUDGETS, SELECTOR_SEEDS, fitted
from memgym.tracks import get_track
from memgym.train.paired import sign_flip_p, t_interval


def parse_overrides(text: str) -> dict[str, Any]:
    """``k=v,k=v`` as a dict (integers parsed; ``learned_rule_blocks.parse_set``)."""
    return parse_set([part for part in text.split(",") if part])


@dataclass
class SetResult:
    """One seed set: each learned member's mean composite and mean held share, and the line."""

    means: list[float]
    held: list[float]
    line: str


def run_set(
    track: str,
    tier: str,
    salt: str | None,
    seeds: Sequence[int],
    overrides: dict[str, Any],
    train_seeds: int = SELECTOR_SEEDS,
) -> SetResult:
    """Each learned member's mean composite (max, held) and the mean AUROC on one set, the
    selector fitted on ``train_seeds`` seeds."""
    t = get_track(track)
    members = [Member("learned", budget) for budget in SELECTOR_BUDGETS]
    selector = fitted(track, tier, tuple(sorted(overrides.items())), train_seeds)
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
    means = [statistics.fmean(v) for v in values]
    shares = [statistics.fmean(h) for h in held]
    cells = [
        f"{m.name} {mean:.3f} (max {max(v):.3f}, {share:.1%})"
        for m, mean, v, share in zip(members, means, values, shares, strict=True)
    ]
    auroc = f"{statistics.fmean(aurocs):.3f}" if aurocs else "n/a"
    line = f"{salt or 'public'}: " + "; ".join(cells) + f"; AUROC {auroc}"
    return SetResult(means, shares, line)


def summary(results: Sequence[SetResult]) -> list[str]:
    """Per member, over the sets: the mean of the set means, their standard deviation, the worst
    set and, where the member is judged (mean held share at most ``BOUNDED_SHARE``), how many
    sets passed ``CHEAT_CEILING`` (validate's bar)."""
    out = []
    for j, budget in enumerate(SELECTOR_BUDGETS):
        means = [r.means[j] for r in results]
        held = statistics.fmean(r.held[j] for r in results)
        judged = held <= BOUNDED_SHARE
        above = (
            f"{sum(m > CHEAT_CEILING for m in means)} of {len(means)} sets above {CHEAT_CEILING}"
        )
        out.append(
            f"learned{budget} over {len(means)} sets: mean {statistics.fmean(means):.4f}, "
            f"sd {statistics.pstdev(means):.4f}, worst {max(means):.3f}, holds {held:.2%}; "
            + (above if judged else "not judged")
        )
    return out


def _signed(x: float) -> str:
    """``x`` to 4 places with its sign, a float error around zero shown as +0.0000."""
    return f"{round(x, 9) + 0.0:+.4f}"


def paired(results: Sequence[SetResult], bases: Sequence[SetResult]) -> list[str]:
    """Per member, the paired difference of its set means, ``results`` minus ``bases`` (the same
    sets in the same order): the mean and its 95 % t interval, how many sets it lowered and
    raised, and the two-sided sign-flip p over the sets."""
    out = []
    for j, budget in enumerate(SELECTOR_BUDGETS):
        diffs = [r.means[j] - b.means[j] for r, b in zip(results, bases, strict=True)]
        t = t_interval(diffs)
        flip = sign_flip_p(diffs)
        lower, higher = sum(d < 0 for d in diffs), sum(d > 0 for d in diffs)
        out.append(
            f"learned{budget} paired over {len(diffs)} sets: {_signed(t.mean)} "
            f"[{_signed(t.low)}, {_signed(t.high)}], lower on {lower}, higher on {higher}, "
            f"sign-flip p {flip.p:.2g}" + ("" if flip.exact else " (estimated)")
        )
    return out


def main(argv: Sequence[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--track", default="codeqa")
    p.add_argument("--tier", default="standard")
    p.add_argument("--sets", default="public", help="comma-separated: public or salt texts")
    p.add_argument("--seeds", type=int, default=10, help="seeds per set")
    p.add_argument("--seed", type=int, default=0, help="first seed")
    p.add_argument("--set", dest="params", default="", help="overrides k=v,k=v")
    p.add_argument("--salted", type=int, default=0, help="add N sets salted PREFIX-0..N-1")
    p.add_argument("--prefix", default="study", help="the salted sets' prefix")
    p.add_argument(
        "--train-seeds",
        type=int,
        default=SELECTOR_SEEDS,
        help=f"seeds the selector is fitted on (validate's: {SELECTOR_SEEDS}; more: a stronger"
        " adversary)",
    )
    p.add_argument(
        "--against",
        default=None,
        metavar="PARAMS",
        help='also score each set under these overrides ("": the tier as it is) and print the'
        " paired differences",
    )
    args = p.parse_args(argv)
    seeds = range(args.seed, args.seed + args.seeds)
    names = [n for n in args.sets.split(",") if n]
    names += [f"{args.prefix}-{i}" for i in range(args.salted)]
    if not names:
        p.error("no seed set: name some with --sets or add --salted N")
    overrides = parse_overrides(args.params)
    against = None if args.against is None else parse_overrides(args.against)
    results, bases = [], []
    for name in names:
        salt = None if name == "public" else name
        result = run_set(args.track, args.tier, salt, seeds, overrides, args.train_seeds)
        print(result.line, flush=True)
        results.append(result)
        if against is not None:
            base = run_set(args.track, args.tier, salt, seeds, against, args.train_seeds)
            print(f"  against: {base.line}", flush=True)
            bases.append(base)
    if len(results) > 1:
        print("\n".join(summary(results)))
        if bases:
            print("against:\n" + "\n".join(summary(bases)))
    if bases:
        print("\n".join(paired(results, bases)))


if __name__ == "__main__":
    main()
