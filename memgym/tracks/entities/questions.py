"""Question builders: one per kind, each drawing a spec at a stream position and its gold.

A builder first picks the position ``p`` (for maintenance kinds, after the change it asks about),
then draws the question from what is true at ``p`` (``stream.Moment``), so every evidence fact
has appeared before the question. The gold is ``memgym.query.evaluate`` over a table of exactly
the cells the spec reads, as the world's facts stand at ``p``: the same answer a table of every
fact so far would give, without rebuilding the world per question. Drafts that would be ties,
duplicates or (outside abstention) unanswerable are redrawn.
"""

from __future__ import annotations

import random as _random
from bisect import bisect_left
from collections.abc import Callable
from typing import cast

from memgym.claims import format_number
from memgym.query import ABSTAIN, Cell, Table, evaluate
from memgym.tracks.entities import asking, spread
from memgym.tracks.entities.counts import count_support
from memgym.tracks.entities.draft import Draft
from memgym.tracks.entities.guard import QUESTION_GAP, Guard
from memgym.tracks.entities.mix import AXIS_OF, KINDS_OF
from memgym.tracks.entities.stream import Moment, Timeline
from memgym.tracks.entities.templates import Attribute
from memgym.tracks.entities.values import SHAPES, shape
from memgym.tracks.entities.world import UPDATE, Change, World
from memgym.types import AnswerType, Fact, QuestionKind

ATTEMPTS = 60
"""Redraws per question before trying another kind of the same axis."""
FLOAT_TOLERANCE = 0.01
"""Relative tolerance for float answers and the value part of float name_value answers, narrowed
for attributes whose range is small next to their size (see ``tolerance``)."""
FILTER_DRAWS = 3
"""Filters are the best of this many draws (most matching entities), so counts spread wide."""
AGGREGATES = ("sum", "mean", "count")


def _table(rows: dict[str, dict[str, Cell | None]]) -> Table:
    table = Table()
    table.rows = {e: {a: c for a, c in row.items() if c is not None} for e, row in rows.items()}
    return table


def tolerance(a: Attribute) -> float:
    """1 %, or 1 % of the range relative to the largest value when that is tighter (uptime
    95-99.99 %: a 1 % band would accept a fifth of the range)."""
    return round(
        min(FLOAT_TOLERANCE, FLOAT_TOLERANCE * (a.high - a.low) / max(abs(a.low), abs(a.high))), 6
    )


def typed(gold: str, answer_type: AnswerType) -> int | float | str | None:
    """The typed answer for ``evaluate``'s canonical text."""
    if answer_type == "abstain":
        return None
    if answer_type == "int":
        return int(gold)
    if answer_type == "float":
        return float(gold)
    return gold


class Asker:
    """Draws the questions of one scenario against its world and timeline."""

    def __init__(
        self, rng: _random.Random, world: World, timeline: Timeline, placement: str
    ) -> None:
        self.rng = rng
        self.random = rng.random
        self.world = world
        self.timeline = timeline
        self.template = world.template
        self.lay = world.layout
        self.fields = world.template.attributes + world.template.relations
        self.end = placement == "end"
        n = len(world.names)
        self.last = len(timeline.items)
        self.first = timeline.doc_pos[min(n - 1, max(1, n // 4))] + 1
        """Interleaved questions wait for a quarter of the documents (at least two)."""
        self.value_first = (
            self.last if self.end else spread.value_first(timeline.doc_pos, QUESTION_GAP)
        )
        """Value questions wait longer (see ``spread``)."""
        self.reach = spread.reach(timeline.doc_pos, self.value_first, self.last, QUESTION_GAP)
        self.linked_by = [
            {world.index[row[r]]: e for e, row in enumerate(world.texts)}
            for r in self.lay.relations
        ]
        """Per relation: entity -> the entity whose relation points at it (links are a cycle)."""
        self.seen: set[str] = set()
        self.guard = Guard(world, timeline)
        self.earliest = self.guard.last_events.earliest(timeline)
        """Change -> the first position a question on it may take (``LastEvents.earliest``);
        the changes left out are decoys, never asked about."""
        self.unused_changes = sorted(self.earliest)
        rng.shuffle(self.unused_changes)
        self.unused_withheld = list(world.withheld)
        self.turn = {kind: int(self.random() * 3) for kind in ("aggregation", "trend")}
        self.turn["abstention"] = 0
        enums = set(self.lay.enums)
        self.asked = tuple(f for f in self.lay.scalars if f not in enums)
        """Fields a value question may ask: not enums (a prior guess would often be right), not
        series (trend questions ask those)."""
        self.targets = tuple(f for f in self.asked if f < len(self.template.attributes))
        """Attributes a multi-hop question may end on."""
        self._enum_index: dict[int, dict[str, list[int]]] = {}
        self.groups = [(f, v, es) for f in self.lay.enums for v, es in self._having(f).items()]
        """Every (enum field, value, the entities that have it) of the world."""
        self.count_targets = count_support(max((len(g[2]) for g in self.groups), default=0))
        rng.shuffle(self.count_targets)
        """Filter-count golds to draw, in turn (``filter_count``): a scenario's filter counts
        answer distinct counts while the support lasts."""
        self.count_target = self.count_targets[0] if self.count_targets else 0
        """The count ``filter_count`` asks for (``_try`` sets it from ``count_targets``)."""

    # -- drawing helpers -------------------------------------------------------------------

    def _pick(self, options: tuple[int, ...] | list[int]) -> int:
        return options[int(self.random() * len(options))]

    def _moment(self, after: int = -1, first: int | None = None) -> Moment:
        """The world at a random question position after item ``after`` and from ``first`` (the
        interleaved questions' start by default; the end if placed so)."""
        if self.end:
            return Moment(self.world, self.timeline, self.last)
        start = self.first if first is None else first
        lo = min(self.last, max(start, after + 1 + QUESTION_GAP))
        return Moment(self.world, self.timeline, lo + int(self.random() * (self.last - lo + 1)))

    def _type(self, f: int) -> AnswerType:
        kind = self.lay.kinds[f]
        return "int" if kind == "int" else "float" if kind == "float" else "text"

    def _tolerance(self, f: int) -> float:
        return tolerance(self.template.attributes[f]) if self.lay.kinds[f] == "float" else 0.0

    def _filter(self, m: Moment) -> tuple[int, str, list[int]]:
        """An enum field, a value some known entity has, and every known entity that has it."""
        texts = self.world.texts
        best: tuple[int, str, list[int]] | None = None
        for _ in range(FILTER_DRAWS):
            f = self._pick(self.lay.enums)
            wanted = texts[int(self.random() * m.known)][f]
            having = self._having(f)[wanted]
            matching = having[: bisect_left(having, m.known)]
            if best is None or len(matching) > len(best[2]):
                best = (f, wanted, matching)
        assert best is not None
        return best

    def _having(self, f: int) -> dict[str, list[int]]:
        """Enum field ``f``'s values -> the entities that have each, in entity order (enums
        never change and are never withheld), computed once per scenario."""
        having = self._enum_index.get(f)
        if having is None:
            having = self._enum_index[f] = {}
            for e, row in enumerate(self.world.texts):
                having.setdefault(row[f], []).append(e)
        return having

    @staticmethod
    def _now(m: Moment, e: int, f: int) -> Fact:
        """The current fact of a known entity's field that is never withheld."""
        fact = m.fact(e, f)
        assert fact is not None, "only text and date fields are withheld"
        return fact

    def _entity_of(self, c: int) -> int:
        return self.world.changes[c].entity

    def _change(
        self, first: int | None = None, kind: str | None = None
    ) -> tuple[Change, Moment] | None:
        """An askable change (an unused one while any is left; of ``kind`` only, if given) and a
        question position from its ``earliest`` on (and from ``first``, the interleaved start by
        default): ``WINDOW`` changes of its kind come between, so no bounded memory of change
        events holds it."""
        askable = [c for c in self.earliest if kind is None or self.world.changes[c].kind == kind]
        if not askable:
            return None
        unused = [
            c for c in self.unused_changes if kind is None or self.world.changes[c].kind == kind
        ]
        pool = sorted(unused or askable, key=self._entity_of)
        c = pool[int(min(self.random(), self.random()) * len(pool))]
        if self.end:
            m = Moment(self.world, self.timeline, self.last)
        else:
            start = self.first if first is None else first
            lo = min(self.last, max(start, self.earliest[c]))
            m = Moment(self.world, self.timeline, lo + int(self.random() * (self.last - lo + 1)))
        if c in self.unused_changes:
            self.unused_changes.remove(c)
        return self.world.changes[c], m

    def _change_apart(self) -> tuple[Change, Moment] | None:
        """An askable change and a question position ``d`` documents after it, ``d`` uniform
        from the least distance an askable change allows (``earliest``) to what the earliest
        change allows (an unused change that fits first), so the new value's rank back from the
        question is spread: a change and a position uniform after it would pile it onto the
        few ranks a late change leaves."""
        if self.end or not self.earliest:
            return self._change(self.value_first)
        doc_pos, change_pos = self.timeline.doc_pos, self.timeline.change_pos
        n = len(doc_pos)
        before = {c: bisect_left(doc_pos, change_pos[c]) for c in self.earliest}
        need = {c: max(1, bisect_left(doc_pos, p) - before[c]) for c, p in self.earliest.items()}
        least, room = min(need.values()), n - min(before.values())
        if room < least:
            return self._change(self.value_first)
        d = least + int(self.random() * (room - least + 1))
        fits = [c for c in self.unused_changes if need[c] <= d and before[c] + d <= n]
        if not fits:
            fits = [c for c in self.earliest if need[c] <= d and before[c] + d <= n]
        if not fits:
            return None
        c = fits[int(self.random() * len(fits))]
        known = before[c] + d
        lo = max(doc_pos[known - 1] + 1, self.earliest[c], self.first)
        hi = doc_pos[known] if known < n else self.last
        if lo > hi:
            return None
        if c in self.unused_changes:
            self.unused_changes.remove(c)
        m = Moment(self.world, self.timeline, lo + int(self.random() * (hi - lo + 1)))
        return self.world.changes[c], m

    # -- one builder per kind --------------------------------------------------------------

    def _value(self, kind: QuestionKind, m: Moment, e: int, f: int, evidence: list[Fact]) -> Draft:
        name, attr = self.world.names[e], self.lay.names[f]
        text = asking.value(self.template, self.fields[f], name, current=kind == "post_correction")
        spec = {"op": "value", "entity": name, "attribute": attr}
        table = _table({name: {attr: m.cell(e, f)}})
        return Draft(m.p, kind, spec, text, evidence, self._type(f), self._tolerance(f), table)

    def retrieval(self) -> Draft | None:
        m = self._moment(first=self.value_first)
        e, f = spread.entity(self.random, m.known, self.reach, QUESTION_GAP), self._pick(self.asked)
        fact = m.fact(e, f)
        if fact is None or m.change(e, f) is not None:
            return None
        return self._value("retrieval", m, e, f, [fact])

    def post_correction(self) -> Draft | None:
        found = self._change_apart()
        if found is None:
            return None
        change, m = found
        return self._value("post_correction", m, change.entity, change.field, [change.new])

    def _before_after(self, kind: QuestionKind) -> Draft | None:
        # an update, not a correction: a correction states the value it replaces, so one event
        # would answer; after an update the old value is only in an earlier event
        first = self.value_first if kind == "previous_value" else None
        found = self._change(first, UPDATE)
        if found is None:
            return None
        change, m = found
        e, f = change.entity, change.field
        name, attr = self.world.names[e], self.lay.names[f]
        a = self.template.attributes[f]
        op = "previous" if kind == "previous_value" else "delta"
        text = asking.previous(a, name) if op == "previous" else asking.delta(a, name)
        spec = {"op": op, "entity": name, "attribute": attr}
        table = _table({name: {attr: m.cell(e, f)}})
        return Draft(
            m.p,
            kind,
            spec,
            text,
            [change.old, change.new],
            self._type(f),
            self._tolerance(f),
            table,
        )

    def previous_value(self) -> Draft | None:
        return self._before_after("previous_value")

    def delta(self) -> Draft | None:
        return self._before_after("delta")

    def aggregation(self) -> Draft | None:
        m = self._moment()
        fn = AGGREGATES[self.turn["aggregation"] % 3]
        fw, wanted, selected = self._filter(m)
        where_attr = self.lay.names[fw]
        facts = self.world.facts
        evidence: list[Fact] = []
        rows: dict[str, dict[str, Cell | None]] = {}
        answer_type: AnswerType = "int"
        where = Cell(wanted)  # cells are frozen: every row shares it
        if fn == "count":
            f, tol = fw, 0.0
            for e in selected:
                evidence.append(facts[e][fw])
                rows[self.world.names[e]] = {where_attr: where}
        else:
            if len(selected) < 2:
                return None
            f = self._pick(self.lay.additive if fn == "sum" else self.lay.numeric)
            float_sum = fn == "mean" or self.lay.kinds[f] == "float"
            answer_type = "float" if float_sum else "int"
            tol = tolerance(self.template.attributes[f]) if float_sum else 0.0
            attr = self.lay.names[f]
            for e in selected:
                fact, cell, _ = m.now(e, f)
                evidence += [facts[e][fw], fact]
                rows[self.world.names[e]] = {where_attr: where, attr: cell}
        a = self.template.attributes[f]
        spec = {
            "op": "aggregate",
            "fn": fn,
            "attribute": a.name,
            "where": [[where_attr, "==", wanted]],
        }
        text = asking.aggregate(self.template, fn, a, self.template.attributes[fw], wanted)
        draft = Draft(m.p, "aggregation", spec, text, evidence, answer_type, tol, _table(rows))
        draft.commit = lambda: self._advance("aggregation")
        return draft

    def comparison(self) -> Draft | None:
        m = self._moment()
        if m.known < 2:
            return None
        a = int(self.random() * m.known)
        b = int(self.random() * (m.known - 1))
        b = b + 1 if b >= a else b
        f = self._pick(self.lay.numeric)
        fa, fb = self._now(m, a, f), self._now(m, b, f)
        if fa.value == fb.value:
            return None
        direction = "max" if self.random() < 0.5 else "min"
        na, nb, attr = self.world.names[a], self.world.names[b], self.lay.names[f]
        spec = {"op": "compare", "entities": [na, nb], "attribute": attr, "direction": direction}
        text = asking.compare(self.template.attributes[f], na, nb, direction)
        table = _table({na: {attr: m.cell(a, f)}, nb: {attr: m.cell(b, f)}})
        return Draft(
            m.p, "comparison", spec, text, [fa, fb], "name_value", self._tolerance(f), table
        )

    def argmax(self) -> Draft | None:
        m = self._moment()
        fw, wanted, selected = self._filter(m)
        if len(selected) < 2:
            return None
        f = self._pick(self.lay.numeric)
        direction = "max" if self.random() < 0.5 else "min"
        now = [m.now(e, f) for e in selected]
        values = sorted([cast(float, value) for _, _, value in now])
        if (values[-1] == values[-2]) if direction == "max" else (values[0] == values[1]):
            return None
        where_attr, attr = self.lay.names[fw], self.lay.names[f]
        where = Cell(wanted)
        evidence: list[Fact] = []
        rows: dict[str, dict[str, Cell | None]] = {}
        for e, (fact, cell, _) in zip(selected, now):
            evidence += [self.world.facts[e][fw], fact]
            rows[self.world.names[e]] = {where_attr: where, attr: cell}
        spec = {
            "op": "argmax",
            "attribute": attr,
            "where": [[where_attr, "==", wanted]],
            "direction": direction,
        }
        text = asking.argmax(
            self.template,
            self.template.attributes[f],
            self.template.attributes[fw],
            wanted,
            direction,
        )
        return Draft(
            m.p, "argmax", spec, text, evidence, "name_value", self._tolerance(f), _table(rows)
        )

    def multi_hop(self) -> Draft | None:
        m = self._moment(first=self.value_first)
        t = spread.entity(self.random, m.known, self.reach, QUESTION_GAP)
        r = self._pick(self.lay.relations)
        e = self.linked_by[r - len(self.template.attributes)][t]
        if e >= m.known:
            return None
        link, linked = self.world.facts[e][r], self.world.texts[e][r]
        f = self._pick(self.targets)
        target = m.fact(t, f)
        if target is None:
            return None
        name, relation, attr = self.world.names[e], self.lay.names[r], self.lay.names[f]
        spec = {"op": "hop", "entity": name, "relation": relation, "attribute": attr}
        rel = self.template.relations[r - len(self.template.attributes)]
        text = asking.hop(self.template, rel, self.template.attributes[f], name)
        table = _table({name: {relation: Cell(linked)}, linked: {attr: m.cell(t, f)}})
        return Draft(
            m.p, "multi_hop", spec, text, [link, target], self._type(f), self._tolerance(f), table
        )

    def filter_count(self) -> Draft | None:
        """How many entities with an enum value have a number above / below a threshold: the
        count ``count_target`` first, then a group of the world with more members than that
        (drawn in proportion to its size), a position after its member number ``count + 1``
        is described, and the threshold that leaves exactly ``count`` of the known members on
        its side. So counts spread evenly over ``count_support``; a threshold drawn among the
        members' values piled them on 1-3, as most filters match few entities."""
        c = self.count_target
        if c < 1:
            return None
        group = self._group(c + 1)
        if group is None:
            return None
        fw, wanted, members = group
        m = self._moment(self.timeline.doc_pos[members[c]])
        matching = members[: bisect_left(members, m.known)]
        if len(matching) <= c:  # the position fell back to the end of a short stream
            return None
        f = self._pick(self.lay.numeric)
        now = [m.now(e, f) for e in matching]
        op = ">" if self.random() < 0.5 else "<"
        ordered = sorted((cast(float, value) for _, _, value in now), reverse=op == ">")
        if ordered[c - 1] == ordered[c]:  # a tie at the boundary: no threshold counts c
            return None
        threshold = ordered[c]
        where_attr, attr = self.lay.names[fw], self.lay.names[f]
        where = Cell(wanted)
        evidence: list[Fact] = []
        rows: dict[str, dict[str, Cell | None]] = {}
        for e, (fact, cell, value) in zip(matching, now):
            rows[self.world.names[e]] = {where_attr: where, attr: cell}
            if (cast(float, value) > threshold) if op == ">" else (cast(float, value) < threshold):
                evidence += [self.world.facts[e][fw], fact]
        spec = {"op": "count", "where": [[where_attr, "==", wanted], [attr, op, threshold]]}
        a = self.template.attributes[f]
        text = asking.count(
            self.template, self.template.attributes[fw], wanted, a, op, format_number(threshold)
        )
        return Draft(m.p, "filter_count", spec, text, evidence, "int", 0.0, _table(rows))

    def _group(self, size: int, before: int | None = None) -> tuple[int, str, list[int]] | None:
        """A group of ``groups`` with at least ``size`` members (whose member number ``size`` is
        described before item ``before``, when given), drawn in proportion to its size (the
        group of a random entity among those in such groups); None when there is none."""
        fits = [g for g in self.groups if len(g[2]) >= size]
        if before is not None:
            doc_pos = self.timeline.doc_pos
            fits = [g for g in fits if doc_pos[g[2][size - 1]] < before]
        if not fits:
            return None
        i = int(self.random() * sum(len(g[2]) for g in fits))
        for g in fits:
            if i < len(g[2]):
                return g
            i -= len(g[2])
        return fits[-1]

    def trend(self) -> Draft | None:
        m = self._moment()
        wanted = SHAPES[self.turn["trend"] % 3]
        f = self._pick(self.lay.series)
        start = int(self.random() * m.known)
        for i in range(m.known):
            e = (start + i) % m.known
            fact = self._now(m, e, f)
            assert isinstance(fact.value, list)
            if shape(fact.value) == wanted:
                break
        else:
            return None
        name, attr = self.world.names[e], self.lay.names[f]
        a: Attribute = self.template.attributes[f]
        spec = {"op": "trend", "entity": name, "attribute": attr}
        tol = tolerance(a) if a.decimals else 0.0
        draft = Draft(
            m.p,
            "trend",
            spec,
            asking.trend(a, name),
            [fact],
            "name_value",
            tol,
            _table({name: {attr: m.cell(e, f)}}),
        )
        draft.commit = lambda: self._advance("trend")
        return draft

    def abstention(self) -> Draft | None:
        withheld = self.turn["abstention"] % 2 == 0 and bool(self.unused_withheld)
        if withheld:
            e, f = self.unused_withheld[-1]
            name = self.world.names[e]
            m = self._moment(self.timeline.doc_pos[e])
        else:
            if not self.world.absent:
                return None
            name = self.world.absent[int(self.random() * len(self.world.absent))]
            f = self._pick(self.lay.scalars)
            m = self._moment()
        spec = {"op": "value", "entity": name, "attribute": self.lay.names[f]}
        text = asking.value(self.template, self.fields[f], name)
        draft = Draft(m.p, "abstention", spec, text, [], "abstain", 0.0, Table())
        draft.commit = lambda: self._abstained(withheld)
        return draft

    # -- bookkeeping -----------------------------------------------------------------------

    def _advance(self, kind: str) -> None:
        self.turn[kind] += 1

    def _abstained(self, withheld: bool) -> None:
        self.turn["abstention"] += 1
        if withheld:
            self.unused_withheld.pop()

    def _try(self, kind: QuestionKind) -> Draft | None:
        build = _BUILDERS[kind]
        if kind == "filter_count" and self.count_targets:  # hit or miss, the next asks the next
            self.count_target = self.count_targets[0]
            self.count_targets.append(self.count_targets.pop(0))
        for _ in range(ATTEMPTS):
            draft = build(self)
            if draft is None:
                continue
            key = repr(draft.spec)
            if key in self.seen:
                continue
            # every check is a pure test the draft must pass: the cheap one that needs no gold
            # first (it turns down about a quarter of the drafts)
            if kind != "abstention" and self.guard.too_recent(draft):
                continue
            gold = evaluate(draft.spec, draft.table)
            if (gold == ABSTAIN) != (kind == "abstention"):
                continue
            if kind != "abstention" and self.guard.guessable(draft, gold):
                continue
            self.seen.add(key)
            draft.gold = typed(gold, draft.answer_type)
            if draft.commit is not None:
                draft.commit()
            return draft
        return None

    def ask(self, kind: QuestionKind) -> Draft:
        """A question of ``kind``, else of another kind of its axis, else a retrieval question."""
        candidates: list[QuestionKind] = [kind, *(k for k in KINDS_OF[AXIS_OF[kind]] if k != kind)]
        for candidate in [*candidates, "retrieval"]:
            draft = self._try(candidate)
            if draft is not None:
                return draft
        fallback = "" if kind == "retrieval" else " (nor another of its axis, nor a retrieval one)"
        raise ValueError(
            f"could not draw a {kind} question{fallback}: this seed's world is too small for the "
            "question guards; use more entities (6 or more) or another seed"
        )


_BUILDERS: dict[str, Callable[[Asker], Draft | None]] = {
    "retrieval": Asker.retrieval,
    "post_correction": Asker.post_correction,
    "previous_value": Asker.previous_value,
    "delta": Asker.delta,
    "aggregation": Asker.aggregation,
    "comparison": Asker.comparison,
    "argmax": Asker.argmax,
    "multi_hop": Asker.multi_hop,
    "filter_count": Asker.filter_count,
    "trend": Asker.trend,
    "abstention": Asker.abstention,
}
"""The builder of each question kind."""


def draw_questions(
    rng: _random.Random, world: World, timeline: Timeline, kinds: list[QuestionKind], placement: str
) -> list[Draft]:
    """One draft per planned kind, in plan order."""
    asker = Asker(rng, world, timeline, placement)
    return [asker.ask(kind) for kind in kinds]
