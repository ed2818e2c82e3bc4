"""The entity-blind guard: no question may be answered by the values of its field alone.

A memory that keeps every value stated for a field (``population``, ``employer``, ...) but not
whose it is holds the field's values in stream order and their counts; any rule that picks one
by recency or frequency (the last, the k-th last distinct, the commonest...) wins as often as
the gold sits at that rank. The guard makes the gold's rank spread, not just avoid a few ranks
(which would move it to the next ones). It inserts look-alike results, near-miss namesakes of
the asked fact's holder, every field drawn like a sibling's, none stating the gold of this or
an earlier question, and restates earlier results:

- after the gold's last statement, ``MIN_AFTER`` plus a drawn 0 to the spread (the scenario's
  ``spread``, see ``guard``) more values of the field, added to those already there (an offset,
  not a target, so the gold's recency place is spread however the natural places pile up):
  ``MIN_AFTER`` plus 0 to ``ONCE`` of the spread fresh ones stated once (kept until the inserts
  fill ``ONCE_ROOM``), so the last two values are never the gold and its place among the
  once-stated values counted from the end is spread, the rest restatements of earlier results (a
  sibling's or a look-alike's, each a value not stated since the gold; older values first, and a
  drawn share of them left alone, so that values stated once, overall or within a recent window,
  still precede the gold) while there are any;
- before the gold's first statement, anywhere since the stream's start, fresh values until a
  drawn number (0 to the spread) of distinct values precede it, so its place counted from the
  start is spread (the first questions ask about the first pages), 0 to ``AHEAD`` restated
  results shortly before its last statement; and fresh values anywhere before the question (not
  just before the gold, which piled its place from the start up at ``MIN_DISTINCT`` less the
  values after it) until the field has ``MIN_DISTINCT`` distinct values;
- anywhere since the previous question, look-alikes repeating other values so that one (a
  gold stated once, whose count rank then follows its recency rank) or 1 to ``LIFT`` (a gold
  stated more often) of them are commoner than the gold;
- up to ``EXTRA`` more after the gold while it still leads one of the last ``WINDOWS``
  statements by count.

The optional ones (the drawn lead, restatements) stop once the inserts fill ``ROOM`` of
``target_tokens`` less the core events, the fresh values after the gold once they fill
``ONCE_ROOM``.
"""

from __future__ import annotations

import random as _random
from bisect import insort
from collections import Counter

from memgym.tokens import total_tokens
from memgym.tracks.entities.fast import build_fact
from memgym.tracks.research import render
from memgym.tracks.research.blocks import Block
from memgym.tracks.research.schema import FIELDS, SPEC_OF, SPECS
from memgym.tracks.research.world import BACKGROUND, Entity, World, link_targets
from memgym.types import Fact

Decoy = tuple[str, list[Fact]]
"""A look-alike result: its text and the facts it states."""
Insert = tuple[float, Decoy]

MAX_DRAWS = 8
"""Draws of an unstated integer before settling for a stated one (a narrow field, such as a
year, can run out of unstated values in the hard tier)."""
MIN_AFTER = 2
"""Values stated once that always follow the gold's last statement."""
MIN_DISTINCT = 30
"""Distinct values of the asked field the stream holds by each question (fresh look-alikes top
it up)."""
LIFT = 8
MAX_REPEATS = 10
"""Values lifted above a gold stated more than once (drawn from 1..``LIFT``), within
``MAX_REPEATS`` restatements (at least one value is always lifted)."""
AHEAD = 4
BEFORE_SPAN = 4.0
"""Restated earlier results shortly before the gold's first statement (since the previous
question, 0 to ``AHEAD``), so values stated once within a recent window precede the gold too."""
SPARE = 1.0
"""Share of the restatable results a question may leave alone (drawn from 0 to it)."""
OLD = 2.0
"""A restatement picks the result at a drawn place in the pool, older first (place ``u ** OLD``
of the pool, ``u`` uniform): values stated long ago come back after the gold, those stated just
before it are left once-stated in a recent window, as the gold is."""
ONCE = 0.4
"""Fresh values stated once after the gold: ``MIN_AFTER`` plus 0 to ``ONCE`` of the spread drawn
(at most the drawn offset; 16 at a spread of 40, 40 at 100), so the gold's place among the
values stated once, counted from the end, is spread. They are kept past ``ROOM``: left out there
(4 wide), a full room put the gold third among the once-stated values from the end, and the
rarest-by-recency rule found it for 7 % of lite's questions."""
ROOM = 0.75
"""Share of ``target_tokens`` the core events may fill before the optional inserts (the drawn
lead, restatements) are left out."""
ONCE_ROOM = 0.85
"""Share of ``target_tokens`` the core events may fill before the fresh values stated once after
a gold beyond ``MIN_AFTER`` are left out (the rest, up to ``target_tokens``, holds the required
inserts and the filler)."""
WINDOWS = (5, 10, 15, 20, 30)
"""Recent windows (in statements of the field) whose commonest value must not be the gold; up to
``EXTRA`` more look-alikes after the gold shift them when it is (or when too few values stated
once follow it)."""
EXTRA = 4
DECOY = "decoy"


class _Decoys:
    """Makes look-alike entities: near misses of a holder, every field drawn, none the gold."""

    def __init__(self, rng: _random.Random, world: World, style: str) -> None:
        self.rng = rng
        self.world = world
        self.style = style
        if world.namer is None:
            raise ValueError("research: the entity-blind guard needs the world's namer")
        self.namer = world.namer
        self.by_name = {e.name: e for e in world.entities}
        self.pools = link_targets(world)
        self.searched: dict[str, list[str]] = {}
        """Entity type -> the field each chain page about one of that type searches: a
        look-alike's search is drawn from them, so searches for relations and attributes are
        evidence and look-alikes in the same proportions (it searched the asked field before,
        mostly an attribute, while the chain's pages mostly search relations)."""
        for task in world.tasks:
            for turn, index in enumerate(task.chain):
                kind = world.entities[index].kind
                self.searched.setdefault(kind, []).append(task.turn_field(turn))

    def make(
        self, holder: str, field: str, value: str | None, golds: set[str], stated: set[str]
    ) -> Decoy:
        """A result about a new near miss of ``holder`` stating ``value`` for ``field`` (None: one
        not in ``stated``); no other field of it states one of ``golds`` (those of this question
        and the earlier ones, which a look-alike may precede). The other fields are drawn as
        ``_draw`` draws them, inlined."""
        rng = self.rng
        random = rng.random
        kind = self.by_name[holder].kind
        name = self.namer.near_miss(kind, holder)
        entity = Entity(name, kind, DECOY)
        self.world.entities.append(entity)
        self.by_name[name] = entity
        facts = entity.facts
        pools = self.pools
        drawn: int | str
        for f, target, low, span, mid in SPECS[kind]:
            if f == field:
                if value is not None:
                    drawn = value if target else int(value)
                else:
                    drawn = self._fresh(f, name, golds, stated)
            elif target:
                pool = pools.get(target, ())
                if len(pool) > 2:
                    while True:
                        drawn = pool[int(random() * len(pool))]
                        if drawn not in golds and drawn != name:
                            break
                else:
                    drawn = self._fresh(f, name, golds, set())
            else:
                while True:
                    drawn = low + int(random() * span)
                    if drawn != mid and str(drawn) not in golds:
                        break
            facts[f] = build_fact(
                {"id": "", "entity": name, "attribute": f, "value": drawn, "step": -1}
            )
        searched = self.searched.get(kind) or [field]
        search = f"{FIELDS[searched[int(random() * len(searched))]].ask} of {holder}"
        return render.result(rng, search, entity, render.pick_style(rng, self.style))

    def _fresh(self, field: str, owner: str, golds: set[str], stated: set[str]) -> int | str:
        """A value of ``field`` not yet stated for it (a new named-only entity when every name
        of the target type has been)."""
        target, low, span, mid = SPEC_OF[field]
        if not target:
            random = self.rng.random
            for _ in range(MAX_DRAWS):
                while True:  # _draw of an integer, inlined
                    drawn = low + int(random() * span)
                    text = str(drawn)
                    if drawn != mid and text not in golds:
                        break
                if text not in stated:
                    break
            return drawn
        pool = self.pools.setdefault(target, [])
        unused = [n for n in pool if n not in stated and n not in golds and n != owner]
        if unused:
            return unused[int(self.rng.random() * len(unused))]
        name = self.namer.fresh(target)
        self.world.entities.append(Entity(name, target, BACKGROUND))
        pool.append(name)
        return name

    def _draw(self, field: str, owner: str, golds: set[str]) -> int | str:
        target, low, span, mid = SPEC_OF[field]
        random = self.rng.random
        if target:
            pool = self.pools.get(target, ())
            if len(pool) > 2:
                while True:
                    n = pool[int(random() * len(pool))]
                    if n not in golds and n != owner:
                        return n
            return self._fresh(field, owner, golds, set())
        while True:
            v = low + int(random() * span)
            if v != mid and str(v) not in golds:
                return v


def guard(
    rng: _random.Random,
    world: World,
    blocks: list[Block],
    style: str,
    room: int,
    wide: int,
    spread: int,
) -> tuple[list[Insert], int]:
    """The results to insert into ``blocks`` (new look-alikes, about ``params.LOOKALIKES`` plus
    ``params.LOOKALIKES_PER_QUESTION`` per question, and restated earlier results): (position,
    result), sorted; a position ``p`` goes right after block ``int(p)`` (before the first block
    when negative). Optional ones stop once the inserts take ``room`` tokens, the fresh values
    stated once after a gold once they take ``wide`` (more). Also the tokens the inserted texts
    take in all (``total_tokens`` of them).

    ``spread`` (the scenario's: 100 in every tier, 40 in a stream shorter than its tier's own,
    ``params.FORMER``) is the width of the gold's drawn places. After its last statement:
    ``MIN_AFTER`` plus 0 to the spread more values, added to whatever already follows it (an
    offset, not a target, so a pile of natural places is smeared over the spread plus one of them
    rather than kept). Before its first statement: fresh values until a drawn 0 to the spread
    distinct values precede it (none when more already do: each fresh look-alike there is one
    more entity that a budgeted memory meets before the chain it needs, so the lead lifts shallow
    golds only). A place rule holds about one gold in the spread plus one: at 40 the learned one
    averaged 0.025 on lite and 0.022 on standard and passed 0.05 on 23 and 8 of 240 ten-seed
    sets; at 100, 0.011 and 0.006, and on none of them (docs/validate.md)."""
    decoys = _Decoys(rng, world, style)
    asked_fields = {
        c.question.evidence[-1].attribute
        for b in blocks
        for c in b
        if c is not None and c.question is not None
    }
    seen: dict[str, list[tuple[float, str]]] = {a: [] for a in asked_fields}
    """asked field -> (position, value) of every statement so far, by position (a block's
    index; an inserted look-alike sits at a fraction between two blocks)."""
    shown: dict[str, list[tuple[float, str, Decoy]]] = {a: [] for a in asked_fields}
    """asked field -> (position, value, result) of every result (a sibling's or a look-alike's)
    stating it so far, in the order they were met: the ones a restatement may repeat."""
    added: list[Insert] = []
    asked_golds: set[str] = set()
    previous = -1.0
    random = rng.random

    budget = _Budget()
    limits = {REQUIRED: None, ONCE_LEVEL: wide, OPTIONAL: room}

    def full(limit: int | None = room) -> bool:
        return limit is not None and budget.over(limit)

    def put(at: float, decoy: Decoy, fresh: bool) -> None:
        budget.add(decoy[0])
        added.append((at, decoy))
        for f in decoy[1]:
            attribute = f.attribute
            if attribute in seen:
                value = str(f.value)
                insort(seen[attribute], (at, value))
                if fresh:
                    shown[attribute].append((at, value, decoy))

    for i, block in enumerate(blocks):
        for core in block:
            if core is None:
                continue
            if core.question is None:
                for f in core.stated:
                    if f.attribute in seen:
                        seen[f.attribute].append((i, str(f.value)))
                        if core.kind == "distractor":
                            shown[f.attribute].append((i, str(f.value), (core.text, core.stated)))
                continue
            asked = core.question.evidence[-1]
            field = asked.attribute
            statements = seen[field]
            gold = str(asked.value)
            asked_golds.add(gold)
            plan, spare = _plan(rng, statements, gold, previous, float(i), spread)
            later = plan[-1][0]
            tail = set(_after_last([v for _, v in statements], gold))
            again: dict[str, Decoy] = {}
            for _, v, d in shown[field]:
                if v != gold and v not in tail and v not in again:
                    again[v] = d
            pool = _restatable(rng, again, statements)
            at_gold = [p for p, v in statements if v == gold]
            ahead = (max(previous, at_gold[-1] - BEFORE_SPAN), at_gold[-1]) if at_gold else (0, 0)
            for _ in range(int(random() * (AHEAD + 1)) if ahead[1] > ahead[0] else 0):
                if not pool or full():
                    break
                d = pool.pop(int(random() ** OLD * len(pool)))
                put(ahead[0] + (ahead[1] - ahead[0]) * (0.001 + 0.998 * random()), d, False)
            for _ in range(spare):
                if full():
                    break
                if not pool:  # no earlier result to restate: a fresh look-alike instead
                    plan.insert(0, (later, None, OPTIONAL))
                    continue
                d = pool.pop(int(random() ** OLD * len(pool)))
                put(later[0] + (later[1] - later[0]) * (0.001 + 0.998 * random()), d, False)
            stated = {v for _, v in statements}
            for k, ((low, high), value, level) in enumerate(plan):
                if k >= len(plan) - EXTRA and not _exposed([v for _, v in statements], gold):
                    break
                if full(limits[level]):
                    continue
                at = low + (high - low) * (0.001 + 0.998 * random())
                try:
                    decoy = decoys.make(asked.entity, field, value, asked_golds, stated)
                except ValueError:  # the kind's fictional names ran out: no more look-alikes
                    break
                put(at, decoy, True)
                stated.add(_value(decoy, field))
            previous = float(i)
    added.sort(key=lambda pair: pair[0])
    return added, budget.total()


class _Budget:
    """The tokens the inserts take, counted only when they may exceed a limit: a text has at
    most as many tokens as characters, so until the characters not yet counted could pass it,
    nothing is counted (the same answers as counting every text, for less work)."""

    def __init__(self) -> None:
        self.spent = 0
        self.pending: list[str] = []
        self.chars = 0

    def add(self, text: str) -> None:
        self.pending.append(text)
        self.chars += len(text)

    def over(self, limit: int) -> bool:
        """Whether the inserts so far take more than ``limit`` tokens."""
        if self.spent + self.chars > limit and self.pending:
            self.spent += total_tokens(self.pending)
            self.pending.clear()
            self.chars = 0
        return self.spent > limit

    def total(self) -> int:
        """The tokens of every text added (each counted once)."""
        if self.pending:
            self.spent += total_tokens(self.pending)
            self.pending.clear()
            self.chars = 0
        return self.spent


REQUIRED, ONCE_LEVEL, OPTIONAL = 0, 1, 2
"""How far a planned look-alike may go: always, until the inserts fill ``ONCE_ROOM`` (the fresh
values stated once after the gold), until they fill ``ROOM`` (the drawn lead)."""
Plan = list[tuple[tuple[float, float], str | None, int]]
"""Look-alikes to add: (span of positions to draw one from, the value of the asked field it
states (None: one not stated yet), how far it may go), then ``EXTRA`` in reserve."""


def _plan(
    rng: _random.Random,
    statements: list[tuple[float, str]],
    gold: str,
    previous: float,
    at: float,
    spread: int,
) -> tuple[Plan, int]:
    """The look-alikes for a question at position ``at`` after one at ``previous``, given the
    asked field's statements so far (``(position, value)``, by position), and how many more
    values to state after the gold by restating earlier results (places ``spread`` wide)."""
    random = rng.random
    at_gold = [p for p, v in statements if v == gold]
    first, last = (at_gold[0], at_gold[-1]) if at_gold else (previous, previous)
    values = [v for _, v in statements]
    counts = Counter(values)
    repeats = _repeats(rng, counts, gold)
    tail = _after_last(values, gold)
    lifted = set(repeats)
    need = max(0, MIN_AFTER - sum(counts[v] == 1 and v not in lifted for v in tail))
    since = max(previous, -1.0)
    spots = [since + (at - since) * (0.001 + 0.998 * random()) for _ in repeats]
    ahead = len(set(values[: values.index(gold)])) if at_gold else len(counts)
    lead = max(0, int(random() * (spread + 1)) - ahead)
    after = need + int(random() * (spread + 1))
    once = min(after, need + int(random() * (int(spread * ONCE) + 1)))
    fresh = max(0, MIN_DISTINCT - len(counts) - len(repeats) - after - lead)
    later = (max(previous, last), at)
    before = (-1.0, at)
    plan: Plan = [((p, p), v, REQUIRED) for v, p in zip(repeats, spots)]
    plan += [(later, None, REQUIRED)] * need + [(later, None, ONCE_LEVEL)] * (once - need)
    start = (-1.0, first) if at_gold else (since, at)
    plan += [(start, None, OPTIONAL)] * lead + [(before, None, REQUIRED)] * fresh
    return plan + [(later, None, REQUIRED)] * EXTRA, after - once


def _restatable(
    rng: _random.Random, again: dict[str, Decoy], statements: list[tuple[float, str]]
) -> list[Decoy]:
    """The earlier results a restatement may repeat, the one whose value was stated longest ago
    first, less a drawn share (0 to ``SPARE``) of them left alone, so that some values stated
    before the gold (once, or once within a recent window) stay as the gold is, not restated
    after it: the gold's place among the values stated once is spread, not first."""
    latest = {v: k for k, (_, v) in enumerate(statements)}
    values = list(again)
    keep = int(rng.random() * (SPARE * len(values) + 1))
    for k in range(keep):  # a uniform random subset of ``keep`` stays out of the pool
        j = k + int(rng.random() * (len(values) - k))
        values[k], values[j] = values[j], values[k]
    kept = set(values[:keep])
    return [again[v] for v in sorted(again, key=latest.__getitem__) if v not in kept]


def _value(decoy: Decoy, field: str) -> str:
    """The value a result states for ``field``."""
    return next(str(f.value) for f in decoy[1] if f.attribute == field)


def _exposed(values: list[str], gold: str) -> bool:
    """Whether fewer than ``MIN_AFTER`` values stated once follow the gold's last statement (a
    narrow field can run out of fresh values), or the gold is the commonest of one of the last
    ``WINDOWS`` statements: alone, or tied with values all stated before its own last statement
    there (a windowed commonest that breaks ties by recency would pick it)."""
    counts = Counter(values)
    if sum(counts[v] == 1 for v in _after_last(values, gold)) < MIN_AFTER:
        return True
    for w in WINDOWS:
        window = values[-w:]
        if gold not in window:
            continue
        counts = Counter(window)
        top = counts[gold]
        if top < max(counts.values()):
            continue
        latest = {v: k for k, v in enumerate(window)}
        if all(latest[v] < latest[gold] for v, n in counts.items() if n == top and v != gold):
            return True
    return False


def _after_last(values: list[str], gold: str) -> list[str]:
    """The values stated after the gold's last statement (all of them when it was never)."""
    for k in range(len(values) - 1, -1, -1):
        if values[k] == gold:
            return values[k + 1 :]
    return values


def _repeats(rng: _random.Random, counts: Counter[str], gold: str) -> list[str]:
    """Restatements of other values (``counts``: every value's statements, in first-seen
    order) that make some of them commoner than the gold (one for a gold stated once, 1 to
    ``LIFT`` drawn otherwise), the commonest first, within ``MAX_REPEATS`` restatements (at
    least one value is always lifted)."""
    counts = counts.copy()
    mine = counts.pop(gold, 0)
    above = sum(n > mine for n in counts.values())
    wanted = 1 + int(rng.random() * LIFT) if mine > 1 else 1
    out: list[str] = []
    for v, n in counts.most_common():
        if above >= wanted:
            break  # nothing more is lifted
        if n > mine:
            continue
        cost = mine + 1 - n
        if above >= 1 and len(out) + cost > MAX_REPEATS:
            break
        out += [v] * cost
        above += 1
    return out
