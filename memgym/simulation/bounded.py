"""The bounded-memory family's scores and its union bound, per track and tier.

A list of cheats gates only the cheats on it; a family gates every memory of a shape. The
members (``memgym.simulation.bounded_family``: last-K, first-K and reservoir-K events of each
event class, the last N tokens) keep a fixed amount whatever the stream's length. Each member
alone must score a mean composite of at most ``CHEAT_CEILING``, and so must the **union bound**
(``union``): for each question template, the member right most often on it on training seeds
(``TRAIN_BASE + i``, never a validated seed) answers it on the scored seeds; the best member
overall answers templates training never saw.

A member is judged where it is small: where it held at most ``BOUNDED_SHARE`` of the stream
(tokens held over tokens seen, mean over the questions). A memory that keeps a share ``s`` of
the stream blind to its content answers about ``s`` of questions whose evidence is spread
over it; one holding half the ceiling that scores above the ceiling finds the answers
concentrated where a blind memory looks, which is the generator's fault. A member holding more
(16 pages of a 20-page stream) is reported with its share but not judged, and the union
chooses among the judged members only.

``bounded_scores(track, tier, seeds)`` is the small API; ``python -m memgym.simulation.bounded``
its command line; ``memgym validate`` runs the family on every group (``--bounded``).
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from memgym.scoring import score_answers
from memgym.simulation.bounded_family import Marked, Member, family, mark
from memgym.simulation.cheats import CHEAT_CEILING
from memgym.simulation.learned_selector import fitted
from memgym.specs import seed_range
from memgym.tracks import get_track
from memgym.types import AnswerRecord

__all__ = [
    "BOUNDED_SHARE",
    "CHEAT_CEILING",
    "TRAIN_BASE",
    "TRAIN_SEEDS",
    "UNION",
    "Choice",
    "Row",
    "bounded_scores",
    "choose",
    "summarize",
]

BOUNDED_SHARE = CHEAT_CEILING / 2
"""The most of the stream a member may hold and still be judged (see the module docstring)."""
UNION = "union"
"""The name of the per-template union bound's row."""
TRAIN_SEEDS = 10
TRAIN_BASE = 2_000_000
"""Training seeds of the union bound: ``TRAIN_BASE + i``, far from any validated seed."""


def composite(axes: Sequence[str], correct: Sequence[bool]) -> float:
    """The composite of one episode of answers with no writes, by the scorer's own
    ``score_answers`` (as the cheat suite scores: efficiency is then accuracy)."""
    records = [
        AnswerRecord.model_construct(
            question_id=str(i), kind="retrieval", axis=a, answer="", correct=c, status="ok"
        )
        for i, (a, c) in enumerate(zip(axes, correct, strict=True))
    ]
    return score_answers(records, 0).composite


@dataclass
class Choice:
    """The union bound's choice: per question template, the member (index) that answers it."""

    per_template: dict[str, int] = field(default_factory=dict)
    fallback: int = 0
    allowed: tuple[int, ...] = ()
    """The members it chose among: those that held at most ``BOUNDED_SHARE`` in training."""

    def pick(self, template: str) -> int:
        return self.per_template.get(template, self.fallback)


def choose(training: Sequence[Marked], n_members: int) -> Choice:
    """Among the members that held at most ``BOUNDED_SHARE`` of the training streams, the one
    right most often per template (scored questions only; ties: the first) and overall."""
    allowed = tuple(
        j
        for j in range(n_members)
        if training and statistics.fmean(m.share(j) for m in training) <= BOUNDED_SHARE
    )
    per: dict[str, Counter[int]] = {}
    overall: Counter[int] = Counter()
    for m in training:
        for template, axis, row in zip(m.templates, m.axes, m.correct, strict=True):
            if axis == "abstention":
                continue
            hits = per.setdefault(template, Counter())
            for j in allowed:
                if row[j]:
                    hits[j] += 1
                    overall[j] += 1
    best = {t: _most(c) for t, c in per.items() if c}
    fallback = _most(overall) if overall else (allowed[0] if allowed else 0)
    return Choice(best, fallback, allowed)


def _most(counts: Counter[int]) -> int:
    top = max(counts.values())
    return min(j for j, n in counts.items() if n == top)


@dataclass(frozen=True)
class Row:
    """One member's (or the union's) mean composite over the scored seeds of a track and tier."""

    member: str
    composite: float
    share: float
    """The mean share of the stream seen so far that the member held at the questions (the
    union's: the largest any member it may choose held in training, so it is always judged)."""

    @property
    def judged(self) -> bool:
        """Held at most ``BOUNDED_SHARE`` of the stream: small enough to be judged."""
        return self.share <= BOUNDED_SHARE

    @property
    def passed(self) -> bool:
        return not self.judged or self.composite <= CHEAT_CEILING


def summarize(
    members: Sequence[Member], training: Sequence[Marked], scored: Sequence[Marked]
) -> list[Row]:
    """Each member's mean composite and held share over the ``scored`` scenarios, in family
    order, then the union bound trained on ``training``."""
    rows = []
    for j, member in enumerate(members):
        values = [composite(m.axes, [bool(row[j]) for row in m.correct]) for m in scored]
        shares = [m.share(j) for m in scored]
        rows.append(Row(member.name, _mean(values), _mean(shares)))
    choice = choose(training, len(members))
    union = [
        composite(m.axes, [bool(row[choice.pick(t)]) for t, row in zip(m.templates, m.correct)])
        for m in scored
    ]
    held = max((_mean([m.share(j) for m in training]) for j in choice.allowed), default=0.0)
    rows.append(Row(UNION, _mean(union), held))
    return rows


def _mean(values: Sequence[float]) -> float:
    return statistics.fmean(values) if values else 0.0


def bounded_scores(
    track: str,
    tier: str | None,
    seeds: Sequence[int],
    full: bool = False,
    overrides: Mapping[str, Any] | None = None,
) -> list[Row]:
    """Each member's and the union bound's ``Row`` over ``seeds`` on ``track``/``tier`` (the
    quick family, or every class with ``full``), the union last."""
    t = get_track(track)
    members = family(full)
    params = dict(overrides or {})
    learned = any(m.rule == "learned" for m in members)
    selector = fitted(track, tier, tuple(sorted(params.items()))) if learned else None
    training = [
        mark(t, t.generate(TRAIN_BASE + i, tier, **params), members, selector)
        for i in range(TRAIN_SEEDS)
    ]
    scored = [mark(t, t.generate(seed, tier, **params), members, selector) for seed in seeds]
    return summarize(members, training, scored)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m memgym.simulation.bounded TRACK[,..] TIER[,..] [--seeds 200-229] [--full]``:
    print each group's union bound and worst members (exit 1 when a judged cell is above the
    ceiling)."""
    import argparse

    p = argparse.ArgumentParser(prog="python -m memgym.simulation.bounded")
    p.add_argument("tracks", help="comma-separated tracks")
    p.add_argument("tiers", help="comma-separated tiers (a tier a track lacks is skipped)")
    p.add_argument("--seeds", default="200-229", help="a range A-B (inclusive), default 200-229")
    p.add_argument("--full", action="store_true", help="every class (default: the quick family)")
    p.add_argument("--all", action="store_true", help="print every member, not the worst 10")
    args = p.parse_args(argv)
    seeds = list(seed_range(args.seeds))
    failed = 0
    for track in args.tracks.split(","):
        for tier in args.tiers.split(","):
            if tier not in get_track(track).tiers:
                continue
            rows = bounded_scores(track, tier, seeds, args.full)
            union = rows[-1]
            shown = rows if args.all else sorted(rows[:-1], key=lambda r: -r.composite)[:10]
            verdict = "" if union.passed else "  > ceiling"
            print(f"{track}/{tier} over seeds {args.seeds}: union {union.composite:.3f}{verdict}")
            for r in shown:
                verdict = "" if r.passed else "  > ceiling"
                if not r.judged:
                    verdict = "  (not judged)"
                print(f"  {r.member:22} {r.composite:.3f}  holds {r.share:6.1%}{verdict}")
            failed += sum(not r.passed for r in rows)
    print(f"{failed} judged cell(s) above {CHEAT_CEILING}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
