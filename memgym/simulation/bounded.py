"""The bounded-memory family: memories whose size does not grow with the stream.

A list of cheats gates only the cheats on it; a family gates every memory of a shape. Each
member keeps a fixed number of events (or tokens), whatever the stream's length, and answers
every question with the scripted reader (``memgym.query.evaluate`` over the claims the track's
reader finds in what it kept), scored by the scorer's own ``is_correct``:

- ``last{K}:{class}``: the last K events of one class (K = 1, 2, 4, 8, 16);
- ``first{K}:{class}``: the first K events of one class (``first3:page`` is the red team's
  ``first_3_pages``);
- ``reservoir{K}:{class}``: a seeded reservoir sample of K events of one class (K = 4, 16);
- ``tokens{N}``: the last events that fit in N tokens (N = 250, 500, 1000, 2000).

Classes (``CLASSES``): every event (``any``), every non-distractor event (``page``), each event
kind (``document``, ``correction``, ``update``, ``distractor``, ``session``) and the events whose
text looks like a change (``change``: a word such as 'actually', 'corrected', 'now' or
'updated', found in the text alone, as an agent told nothing of kinds could keep them).

Each member alone must score a mean composite of at most ``CHEAT_CEILING``; so must the
**union bound** (``union``): for each question template, the member that answered it best on
training seeds (``TRAIN_BASE + i``, never a validated seed) answers it on the scored seeds, the
best member overall answering templates training never saw. ``BoundedRun`` holds the per-process
state (what training chose); ``bounded_scores`` is the small API the generator work measures
with, and ``python -m memgym.simulation.bounded`` its command line.
"""

from __future__ import annotations

import random
import re
import statistics
from collections import Counter, deque
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from memgym.query import ABSTAIN, Fragment, Table, evaluate
from memgym.scoring import is_correct, score_answers
from memgym.scoring.reading import Names, answer_names
from memgym.simulation.cheats import CHEAT_CEILING, template_key
from memgym.tokens import count_tokens
from memgym.tracks import Track, get_track
from memgym.tracks.registry import stream_events
from memgym.types import AnswerRecord, Event, GoldQuestion, Question, Scenario

__all__ = [
    "CHEAT_CEILING",
    "CLASSES",
    "UNION",
    "BoundedRun",
    "Member",
    "bounded_scores",
    "family",
]

CLASSES = ("any", "page", "document", "correction", "update", "change", "distractor", "session")
"""Event classes a member keeps events of (see the module docstring)."""
LAST_K = (1, 2, 4, 8, 16)
FIRST_K = (1, 2, 3, 4, 8, 16)
RESERVOIR_K = (4, 16)
TOKENS_N = (250, 500, 1000, 2000)
QUICK_CLASSES = ("any", "page", "correction", "update", "change")
"""The classes of the quick family (validate's default): the kinds a change is in, and all."""
BOUNDED_SHARE = CHEAT_CEILING / 2
"""The most of the stream (tokens held over tokens seen, mean over questions) a member may hold
and still be judged: a memory that keeps a share ``s`` of the stream blind to its content answers
about ``s`` of questions whose evidence is spread over it, so a member holding half the ceiling
that scores above the ceiling finds answers concentrated where a blind memory looks. A member
holding more (16 pages of a 20-page stream) is reported with its share but not judged."""
UNION = "union"
"""The name of the per-template union bound's row."""
TRAIN_SEEDS = 10
TRAIN_BASE = 2_000_000
"""Training seeds of the union bound: ``TRAIN_BASE + i``, far from any validated seed."""
CHANGE = re.compile(
    r"\b(?:actually|correction|corrected|update[sd]?|hotfix|erratum|errata|changed?|now|"
    r"revised|instead|no longer)\b",
    re.IGNORECASE,
)
"""Words that make an event look like a change, read from its text alone."""
_CHANGE_STEMS = (
    "actual",
    "correct",
    "updat",
    "hotfix",
    "errat",
    "chang",
    "now",
    "revis",
    "instead",
    "no longer",
)


def looks_like_change(text: str) -> bool:
    """``CHANGE`` finds a word in ``text`` (a substring pre-check first: most texts have none)."""
    low = text.lower()
    return any(stem in low for stem in _CHANGE_STEMS) and CHANGE.search(text) is not None


@dataclass(frozen=True)
class Member:
    """One bounded memory: keeps ``size`` events of ``event_class`` by ``rule`` (or, for
    ``tokens``, the last events that fit in ``size`` tokens)."""

    rule: str
    """``last``, ``first``, ``reservoir`` or ``tokens``."""
    size: int
    event_class: str = "any"

    @property
    def name(self) -> str:
        if self.rule == "tokens":
            return f"tokens{self.size}"
        return f"{self.rule}{self.size}:{self.event_class}"

    @property
    def group(self) -> str:
        """The member's shape without its size: ``last:correction``, ``tokens``."""
        return "tokens" if self.rule == "tokens" else f"{self.rule}:{self.event_class}"


@cache
def family(full: bool = False) -> tuple[Member, ...]:
    """The members: every class with ``full``, else ``QUICK_CLASSES`` (and first-K only of
    ``any`` and ``page``)."""
    classes = CLASSES if full else QUICK_CLASSES
    first_classes = CLASSES if full else ("any", "page")
    return (
        *(Member("last", k, c) for c in classes for k in LAST_K),
        *(Member("first", k, c) for c in first_classes for k in FIRST_K),
        *(Member("reservoir", k, c) for c in classes for k in RESERVOIR_K),
        *(Member("tokens", n) for n in TOKENS_N),
    )


def event_classes(event: Event) -> list[str]:
    """The classes ``event`` belongs to (``any``, its kind, ``page`` unless a distractor,
    ``change`` when its text looks like one)."""
    out = ["any", event.kind]
    if event.kind != "distractor":
        out.append("page")
    if looks_like_change(event.text):
        out.append("change")
    return out


class _Keeper:
    """Every member's kept texts, updated one event at a time (one pass per scenario)."""

    def __init__(self, members: Sequence[Member], seed: int) -> None:
        self.members = members
        classes = {m.event_class for m in members if m.rule != "tokens"}
        self.last = {c: deque[str](maxlen=max(LAST_K)) for c in classes}
        self.first: dict[str, list[str]] = {c: [] for c in classes}
        self.seen = dict.fromkeys(classes, 0)
        self.reservoirs = {
            (m.event_class, m.size): list[str]() for m in members if m.rule == "reservoir"
        }
        self.rngs = {key: random.Random(f"{seed}:{key[0]}:{key[1]}") for key in self.reservoirs}
        self.tail: deque[tuple[str, int]] = deque()
        self.tail_tokens = 0
        self.max_tokens = max((m.size for m in members if m.rule == "tokens"), default=0)

    def observe(self, event: Event) -> None:
        classes = event_classes(event)
        for c in classes:
            if c not in self.seen:
                continue
            self.seen[c] += 1
            self.last[c].append(event.text)
            if len(self.first[c]) < max(FIRST_K):
                self.first[c].append(event.text)
        for (c, k), kept in self.reservoirs.items():
            if c in classes:
                n = self.seen[c]
                if len(kept) < k:
                    kept.append(event.text)
                else:
                    j = self.rngs[(c, k)].randrange(n)
                    if j < k:
                        kept[j] = event.text
        if self.max_tokens:
            tokens = count_tokens(event.text)
            self.tail.append((event.text, tokens))
            self.tail_tokens += tokens
            while self.tail and self.tail_tokens > self.max_tokens:
                self.tail_tokens -= self.tail.popleft()[1]

    def kept(self, member: Member) -> tuple[str, ...]:
        """The texts ``member`` holds now, oldest first."""
        if member.rule == "last":
            held = self.last[member.event_class]
            return tuple(held)[-member.size :] if held else ()
        if member.rule == "first":
            return tuple(self.first[member.event_class][: member.size])
        if member.rule == "reservoir":
            return tuple(self.reservoirs[(member.event_class, member.size)])
        out: list[str] = []
        total = 0
        for text, tokens in reversed(self.tail):
            if total + tokens > member.size:
                break
            out.append(text)
            total += tokens
        return tuple(reversed(out))


class _Reader:
    """The scripted reader over kept texts, with each text's claims folded once and each kept
    set's table built once per scenario (members often hold the same texts question after
    question)."""

    def __init__(self, track: Track) -> None:
        self.track = track
        self.fragments: dict[str, Fragment] = {}
        self.tables: dict[tuple[str, ...], Table | None] = {}

    def table(self, texts: tuple[str, ...]) -> Table | None:
        if texts in self.tables:
            return self.tables[texts]
        table: Table | None = Table()
        for text in texts:
            fragment = self.fragments.get(text)
            if fragment is None:
                fragment = self.fragments[text] = Fragment.of(self.track.read_cached(text))
            table.merge(fragment)  # type: ignore[union-attr]
        if not table.rows:  # type: ignore[union-attr]
            table = None  # nothing read: no count of zero, no guess
        self.tables[texts] = table
        return table

    def answer(self, texts: tuple[str, ...], question: Question) -> str:
        table = self.table(texts)
        return ABSTAIN if table is None else evaluate(question.spec, table)


def answers(
    track: Track, scenario: Scenario, members: Sequence[Member]
) -> Iterator[tuple[GoldQuestion, list[str], list[float]]]:
    """Each question of ``scenario`` (with its gold, for the scorer), every member's answer to
    it, read from what the member kept when it was asked, and the share of the tokens seen so
    far that the member held then."""
    keeper = _Keeper(members, scenario.seed)
    reader = _Reader(track)
    seen = 0
    for event in stream_events(scenario):
        q = event.question
        if q is None:
            keeper.observe(event)
            seen += count_tokens(event.text)
            continue
        public = q.public()
        by_texts: dict[tuple[str, ...], tuple[str, float]] = {}  # same texts, same answer
        row, shares = [], []
        for member in members:
            texts = keeper.kept(member)
            hit = by_texts.get(texts)
            if hit is None:
                held = sum(map(count_tokens, texts)) / seen if seen else 0.0
                hit = by_texts[texts] = (reader.answer(texts, public), held)
            row.append(hit[0])
            shares.append(hit[1])
        yield q, row, shares


@dataclass
class Marked:
    """One scenario's answers per member, marked right or wrong."""

    golds: list[GoldQuestion] = field(default_factory=list)
    correct: list[list[bool]] = field(default_factory=list)
    """``correct[i][j]``: member ``j`` answered question ``i`` right."""
    given: list[list[str]] = field(default_factory=list)
    shares: list[list[float]] = field(default_factory=list)
    """``shares[i][j]``: the share of the stream seen so far member ``j`` held at question
    ``i``."""

    def share(self, j: int) -> float:
        """Member ``j``'s mean held share over the questions."""
        return statistics.fmean(row[j] for row in self.shares) if self.shares else 0.0


def mark(track: Track, scenario: Scenario, members: Sequence[Member]) -> Marked:
    """Every member's answers to ``scenario``'s questions, marked by ``is_correct``."""
    names: Names = answer_names(scenario)
    out = Marked()
    for gold, row, shares in answers(track, scenario, members):
        verdicts: dict[str, bool] = {}
        for answer in row:
            if answer not in verdicts:
                verdicts[answer] = is_correct(gold, answer, names)
        out.golds.append(gold)
        out.given.append(row)
        out.shares.append(shares)
        out.correct.append([verdicts[a] for a in row])
    return out


def composite(
    golds: Sequence[GoldQuestion], correct: Sequence[bool], given: Sequence[str]
) -> float:
    """The composite of one episode of answers with no writes (as the cheat suite scores)."""
    records = [
        AnswerRecord.model_construct(
            question_id=g.id, kind=g.kind, axis=g.axis, answer=a, correct=c, status="ok", error=None
        )
        for g, c, a in zip(golds, correct, given, strict=True)
    ]
    return score_answers(records, 0).composite


@dataclass
class Choice:
    """The union bound's choice: per question template, the member (index) that answers it."""

    per_template: dict[str, int] = field(default_factory=dict)
    fallback: int = 0
    allowed: tuple[int, ...] = ()
    """The members it chose among: those that held at most ``BOUNDED_SHARE`` in training."""

    def pick(self, spec: Mapping[str, Any]) -> int:
        return self.per_template.get(template_key(spec, False), self.fallback)


def choose(marked: Sequence[Marked], n_members: int) -> Choice:
    """Among the members that held at most ``BOUNDED_SHARE`` of the training streams, the one
    right most often per template (scored questions only; ties: the first) and overall."""
    allowed = (
        tuple(
            j
            for j in range(n_members)
            if statistics.fmean(m.share(j) for m in marked) <= BOUNDED_SHARE
        )
        if marked
        else ()
    )
    per: dict[str, Counter[int]] = {}
    overall: Counter[int] = Counter()
    for m in marked:
        for gold, row in zip(m.golds, m.correct, strict=True):
            if gold.axis == "abstention":
                continue
            hits = per.setdefault(template_key(gold.spec, False), Counter())
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


@dataclass
class Scored:
    """Every member's and the union's composite on one scenario, and the share it held."""

    composite: dict[str, float]
    share: dict[str, float]


@dataclass
class BoundedRun:
    """The family on one (track, tier, overrides): its members and the union's choice, trained
    once on ``TRAIN_SEEDS`` seeds; ``scores(scenario)`` is each member's and the union's
    composite on one scenario."""

    track: Track
    tier: str | None
    overrides: Mapping[str, Any] = field(default_factory=dict)
    full: bool = False
    train_seeds: int = TRAIN_SEEDS
    _choice: Choice | None = None

    @property
    def members(self) -> tuple[Member, ...]:
        return family(self.full)

    @property
    def choice(self) -> Choice:
        if self._choice is None:
            training = [
                mark(
                    self.track,
                    self.track.generate(TRAIN_BASE + i, self.tier, **dict(self.overrides)),
                    self.members,
                )
                for i in range(self.train_seeds)
            ]
            self._choice = choose(training, len(self.members))
        return self._choice

    def scores(self, scenario: Scenario) -> Scored:
        """Every member's and ``union``'s composite on ``scenario`` and held share (the
        union's: the largest its allowed members held)."""
        m = mark(self.track, scenario, self.members)
        out = Scored({}, {})
        for j, member in enumerate(self.members):
            out.composite[member.name] = composite(
                m.golds, [row[j] for row in m.correct], [row[j] for row in m.given]
            )
            out.share[member.name] = m.share(j)
        choice = self.choice
        picks = [choice.pick(g.spec) for g in m.golds]
        out.composite[UNION] = composite(
            m.golds,
            [row[j] for row, j in zip(m.correct, picks, strict=True)],
            [row[j] for row, j in zip(m.given, picks, strict=True)],
        )
        out.share[UNION] = max((m.share(j) for j in choice.allowed), default=0.0)
        return out


@dataclass(frozen=True)
class Row:
    """One member's (or the union's) mean composite over the scored seeds of a track and tier."""

    track: str
    tier: str
    member: str
    composite: float
    share: float
    """The mean share of the stream seen so far that the member held at the questions."""

    @property
    def judged(self) -> bool:
        """Held at most ``BOUNDED_SHARE`` of the stream: small enough to be judged."""
        return self.share <= BOUNDED_SHARE

    @property
    def passed(self) -> bool:
        return not self.judged or self.composite <= CHEAT_CEILING


def bounded_scores(
    track: str,
    tier: str | None,
    seeds: Sequence[int],
    full: bool = False,
    **overrides: Any,
) -> list[Row]:
    """Each member's and the union bound's mean composite over ``seeds`` on ``track``/``tier``,
    in family order, the union last."""
    t = get_track(track)
    run = BoundedRun(t, tier, overrides, full)
    per: dict[str, list[float]] = {}
    held: dict[str, list[float]] = {}
    for seed in seeds:
        scored = run.scores(t.generate(seed, tier, **overrides))
        for name, value in scored.composite.items():
            per.setdefault(name, []).append(value)
        for name, value in scored.share.items():
            held.setdefault(name, []).append(value)
    return [
        Row(track, tier or "", n, statistics.fmean(v), statistics.fmean(held[n]))
        for n, v in per.items()
    ]


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m memgym.simulation.bounded TRACK[,..] TIER[,..] [--seeds 200-229] [--full]``:
    print the family's table and the worst cells (exit 1 when any is above the ceiling)."""
    import argparse

    p = argparse.ArgumentParser(prog="python -m memgym.simulation.bounded")
    p.add_argument("tracks", help="comma-separated tracks")
    p.add_argument("tiers", help="comma-separated tiers")
    p.add_argument("--seeds", default="200-229", help="a range A-B (inclusive), default 200-229")
    p.add_argument("--full", action="store_true", help="every class (default: the quick family)")
    p.add_argument("--all", action="store_true", help="print every member, not only the worst 10")
    args = p.parse_args(argv)
    low, _, high = args.seeds.partition("-")
    seeds = list(range(int(low), int(high or low) + 1))
    failed = 0
    for track in args.tracks.split(","):
        for tier in args.tiers.split(","):
            rows = bounded_scores(track, tier, seeds, args.full)
            union = rows[-1]
            shown = rows if args.all else sorted(rows[:-1], key=lambda r: -r.composite)[:10]
            print(f"{track}/{tier} over seeds {args.seeds}: union {union.composite:.3f}")
            for r in shown:
                verdict = "" if r.passed else "  > ceiling"
                if not r.judged:
                    verdict = "  (not judged)"
                print(f"  {r.member:22} {r.composite:.3f}  holds {r.share:6.1%}{verdict}")
            failed += sum(not r.passed for r in rows)
    print(f"{failed} cell(s) above {CHEAT_CEILING}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
