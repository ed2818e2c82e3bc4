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
import statistics
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from memgym.claims import format_number, parse_number
from memgym.query import ABSTAIN, Cell, Table, evaluate
from memgym.tracks.entities import asking, spread
from memgym.tracks.entities.mix import AXIS_OF, KINDS_OF
from memgym.tracks.entities.stream import Moment, Timeline
from memgym.tracks.entities.templates import Attribute
from memgym.tracks.entities.values import SHAPES, shape
from memgym.tracks.entities.world import Change, World, number
from memgym.types import AnswerType, Fact, QuestionKind

QUESTION_GAP = 4
"""Timeline items (documents, changes, memos) that come between a question and the last one
stating its evidence, so no reader of the last few events can answer it."""
ATTEMPTS = 60
"""Redraws per question before trying another kind of the same axis."""
FLOAT_TOLERANCE = 0.01
"""Relative tolerance for float answers and the value part of float name_value answers, narrowed
for attributes whose range is small next to their size (see ``tolerance``)."""
FILTER_DRAWS = 3
"""Filters are the best of this many draws (most matching entities), so counts spread wide."""
AGGREGATES = ("sum", "mean", "count")
TWIN_OPS = ("value", "previous", "hop")
"""Ops whose gold is one stated value of the asked field: redrawn when another entity's stated
value of that field would score too (``Asker._twin``)."""


@dataclass(slots=True)
class Draft:
    """A question before it has an id: where it goes, what it asks, what proves it, its gold."""

    p: int
    kind: QuestionKind
    spec: dict[str, Any]
    text: str
    evidence: list[Fact]
    answer_type: AnswerType
    tolerance: float
    table: Table
    gold: Any = None
    commit: Callable[[], None] | None = None


FieldNumbers = tuple[list[float | None], float | None, dict[int, tuple[int, float | None]], bool]
"""Per field: each entity's starting value as a number (None when not one), their median,
entity -> (timeline position, number) of the change to that field, and whether every value and
change is a number and no entity withholds the field."""


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
            {world.index[row[r]]: e for e, row in enumerate(world.texts)} for r in self.lay.relations
        ]
        """Per relation: entity -> the entity whose relation points at it (links are a cycle)."""
        self.seen: set[str] = set()
        self.unused_changes = list(range(len(world.changes)))
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
        self.stated_late = _stated_late(world, timeline)
        """id of a fact stated after its entity's document -> the last item that states it."""
        self.field_of = {name: f for f, name in enumerate(self.lay.names)}
        self._field_numbers: dict[int, FieldNumbers] = {}
        self._modes: dict[int, str | None] = {}
        self._blind_memo: dict[tuple[int, int], tuple[str, ...]] = {}
        self._field_statements: dict[int, tuple[list[int], list[str], list[int]]] = {}
        self._field_values: dict[
            int, tuple[dict[str, list[tuple[int, int]]], list[tuple[float, int, int]]]
        ] = {}
        self._enum_index: dict[int, dict[str, list[int]]] = {}

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

    def _change(self, first: int | None = None) -> tuple[Change, Moment] | None:
        if not self.world.changes:
            return None
        c = (
            self.unused_changes.pop()
            if self.unused_changes
            else int(self.random() * len(self.world.changes))
        )
        return self.world.changes[c], self._moment(self.timeline.change_pos[c], first)

    def _change_apart(self) -> tuple[Change, Moment] | None:
        """A change and a question position ``d`` documents after it, ``d`` uniform up to what
        the earliest change allows (an unused change that fits first), so the new value's rank
        back from the question is spread: a change and a position uniform after it would pile
        it onto the few ranks a late change leaves."""
        if self.end or not self.world.changes:
            return self._change(self.value_first)
        doc_pos, change_pos = self.timeline.doc_pos, self.timeline.change_pos
        n = len(doc_pos)
        before = [bisect_left(doc_pos, pos) for pos in change_pos]
        room = n - min(before)
        if room < 1:  # every change comes after the last document
            return self._change(self.value_first)
        gap = min(QUESTION_GAP, room)
        d = gap + int(self.random() * (room - gap + 1))
        fits = [c for c in self.unused_changes if before[c] + d <= n]
        if not fits:
            fits = [c for c in range(len(before)) if before[c] + d <= n]
        c = fits[int(self.random() * len(fits))]
        known = before[c] + d
        lo = max(doc_pos[known - 1] + 1, change_pos[c] + 1 + QUESTION_GAP, self.first)
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
        found = self._change(self.value_first if kind == "previous_value" else None)
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
        if fn == "count":
            f, tol = fw, 0.0
            for e in selected:
                evidence.append(facts[e][fw])
                rows[self.world.names[e]] = {where_attr: Cell(wanted)}
        else:
            if len(selected) < 2:
                return None
            f = self._pick(self.lay.additive if fn == "sum" else self.lay.numeric)
            float_sum = fn == "mean" or self.lay.kinds[f] == "float"
            answer_type = "float" if float_sum else "int"
            tol = tolerance(self.template.attributes[f]) if float_sum else 0.0
            for e in selected:
                evidence += [facts[e][fw], self._now(m, e, f)]
                rows[self.world.names[e]] = {
                    where_attr: Cell(wanted),
                    self.lay.names[f]: m.cell(e, f),
                }
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
        now = [self._now(m, e, f) for e in selected]
        values = sorted(number(fact) for fact in now)
        if (values[-1] == values[-2]) if direction == "max" else (values[0] == values[1]):
            return None
        where_attr, attr = self.lay.names[fw], self.lay.names[f]
        evidence: list[Fact] = []
        rows: dict[str, dict[str, Cell | None]] = {}
        for e, fact in zip(selected, now):
            evidence += [self.world.facts[e][fw], fact]
            rows[self.world.names[e]] = {where_attr: Cell(wanted), attr: m.cell(e, f)}
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
        m = self._moment()
        fw, wanted, matching = self._filter(m)
        f = self._pick(self.lay.numeric)
        facts = [self._now(m, e, f) for e in matching]
        values = sorted({number(x) for x in facts})
        if len(values) < 2:
            return None
        op = ">" if self.random() < 0.5 else "<"
        k = int(self.random() * (len(values) - 1))
        threshold = values[k] if op == ">" else values[k + 1]
        where_attr, attr = self.lay.names[fw], self.lay.names[f]
        evidence: list[Fact] = []
        rows: dict[str, dict[str, Cell | None]] = {}
        for e, fact in zip(matching, facts):
            rows[self.world.names[e]] = {where_attr: Cell(wanted), attr: m.cell(e, f)}
            if (number(fact) > threshold) if op == ">" else (number(fact) < threshold):
                evidence += [self.world.facts[e][fw], fact]
        spec = {"op": "count", "where": [[where_attr, "==", wanted], [attr, op, threshold]]}
        a = self.template.attributes[f]
        text = asking.count(
            self.template, self.template.attributes[fw], wanted, a, op, format_number(threshold)
        )
        return Draft(m.p, "filter_count", spec, text, evidence, "int", 0.0, _table(rows))

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

    # -- closed-book guard ------------------------------------------------------------------

    def _guessable(self, draft: Draft, gold: str) -> bool:
        """Would an agent with no memory of the stream get this right by answering the typical
        value? Numbers are checked against the attribute's world median and prior midpoint (and
        their multiples for sums), counts against the independence estimate, text against the
        world's most common value. Such questions are redrawn, so guessing scores ~0."""
        spec = draft.spec
        op = spec["op"]
        number = _numeric_part(gold)
        if op in ("count", "aggregate") and spec.get("fn", "count") == "count":
            return number is not None and number == self._expected_count(spec["where"])
        f = self._field(spec.get("attribute"))
        if f is None:
            return False
        blind = () if op in ("trend", "delta", "aggregate") else self._blind(f, draft.p)
        if op in TWIN_OPS and self._twin(draft, f, gold, number):
            return True
        if number is None or draft.answer_type == "text":
            return gold == self._mode(f) or gold in blind
        guesses = [0.0] if op in ("trend", "delta") else self._typical_numbers(f, draft.p)
        guesses += [g for text in blind if (g := parse_number(text)) is not None]
        if op == "aggregate" and spec["fn"] == "sum":
            n = self._expected_count(spec["where"])
            guesses = [g * max(1, n) for g in guesses]
        band = max(draft.tolerance * abs(number), 0.005)
        return any(abs(number - g) <= band for g in guesses)

    def _blind(self, f: int, p: int) -> tuple[str, ...]:
        """What a memory of field ``f``'s values without whose they are answers before item
        ``p``: the values the last event stating ``f`` states, and the commonest value (ties:
        the first stated). Questions with such a gold are redrawn."""
        key = (f, p)
        if key not in self._blind_memo:
            positions, texts, _ = self._statements(f)
            end = bisect_left(positions, p)
            if end == 0:
                self._blind_memo[key] = ()
                return ()
            last = positions[end - 1]
            first_of_last = bisect_left(positions, last)
            counts = Counter(texts[:end])
            common = max(counts, key=counts.__getitem__)
            self._blind_memo[key] = tuple(
                dict.fromkeys([*sorted(set(texts[first_of_last:end])), common])
            )
        return self._blind_memo[key]

    def _statements(self, f: int) -> tuple[list[int], list[str], list[int]]:
        """Field ``f``'s statements in stream order, computed once per field: positions, texts
        and the entity each is about. Documents state every field; a change states its new
        value, an update also restates a few other fields (an event's values keep their order)."""
        cached = self._field_statements.get(f)
        if cached is None:
            hidden, texts, doc_pos = self.world.hidden, self.world.texts, self.timeline.doc_pos
            stated = [
                (doc_pos[e], texts[e][f], e) for e in range(len(doc_pos)) if hidden.get(e) != f
            ]
            for c, change in enumerate(self.world.changes):
                pos, e = self.timeline.change_pos[c], change.entity
                if change.field == f:
                    stated.append((pos, change.new_text, e))
                elif f in change.restate and hidden.get(e) != f:
                    stated.append((pos, texts[e][f], e))
            stated.sort(key=lambda item: item[0])
            cached = self._field_statements[f] = (
                [pos for pos, _, _ in stated],
                [text for _, text, _ in stated],
                [e for _, _, e in stated],
            )
        return cached

    def _twin(self, draft: Draft, f: int, gold: str, number: float | None) -> bool:
        """Is another entity's value of field ``f`` stated before the question one that would
        be scored as its gold (the same text, or a number within its tolerance)? A memory of
        the field's values without whose they are would be right by picking that entity's
        value, so such questions are redrawn: the gold is the one stated value that scores."""
        owner = self.world.index[draft.evidence[-1].entity]
        texts, numbers = self._stated_values(f)
        if number is None or draft.answer_type == "text":
            return any(pos < draft.p and e != owner for pos, e in texts.get(gold, ()))
        band = max(draft.tolerance * abs(number), 0.005)
        lo = bisect_left(numbers, (number - band, -1, -1))
        for value, pos, e in numbers[lo:]:
            if value > number + band:
                return False
            if pos < draft.p and e != owner:
                return True
        return False

    def _stated_values(
        self, f: int
    ) -> tuple[dict[str, list[tuple[int, int]]], list[tuple[float, int, int]]]:
        """Field ``f``'s statements (``_statements``) by text and, sorted, by number: text ->
        [(position, entity)] and [(number, position, entity)], computed once per field."""
        cached = self._field_values.get(f)
        if cached is None:
            by_text: dict[str, list[tuple[int, int]]] = {}
            by_number: list[tuple[float, int, int]] = []
            for pos, text, e in zip(*self._statements(f)):
                by_text.setdefault(text, []).append((pos, e))
                if (value := parse_number(text)) is not None:
                    by_number.append((value, pos, e))
            by_number.sort()
            cached = self._field_values[f] = (by_text, by_number)
        return cached

    def _too_recent(self, draft: Draft) -> bool:
        """Does the question come within ``QUESTION_GAP`` items of the last one stating its
        evidence (so a reader of the last few events could answer it)?"""
        late, doc_pos, index = self.stated_late, self.timeline.doc_pos, self.world.index
        last = max((late.get(id(f), doc_pos[index[f.entity]]) for f in draft.evidence), default=-1)
        return draft.p - 1 - last < QUESTION_GAP

    def _field(self, name: Any) -> int | None:
        return self.field_of.get(name) if isinstance(name, str) else None

    def _typical_numbers(self, f: int, p: int) -> list[float]:
        """The world's median of field ``f``, the median of the values stated before item ``p``
        (what the ``stats`` memory shows a guesser at the question) and the prior's midpoint."""
        numbers, median, changed, plain = self._numbers(f)
        known = bisect_left(self.timeline.doc_pos, p)
        so_far: list[float]
        if plain:  # every entity has a number for f, none withheld: the first ``known`` ones
            so_far = cast(list[float], numbers[:known])
            for e, (pos, v) in changed.items():
                if e < known and pos < p:
                    so_far[e] = cast(float, v)
        else:
            hidden = self.world.hidden
            so_far = [
                v
                for e in range(known)
                if hidden.get(e) != f
                and (v := numbers[e] if e not in changed or changed[e][0] >= p else changed[e][1])
                is not None
            ]
        guesses = [median] if median is not None else []
        guesses += [statistics.median(so_far)] if so_far else []
        if f < len(self.template.attributes):
            a = self.template.attributes[f]
            guesses.append((a.low + a.high) / 2)
        if self.lay.kinds[f] == "int":
            guesses += [float(round(g)) for g in guesses]
        return guesses

    def _numbers(self, f: int) -> FieldNumbers:
        """Field ``f``'s statistics, computed once per scenario (see ``FieldNumbers``)."""
        cached = self._field_numbers.get(f)
        if cached is None:
            numbers: list[float | None] = (
                # a number field's values: what parse_number reads from its texts
                cast(list[float | None], [row[f].value for row in self.world.facts])
                if self.lay.kinds[f] in ("int", "float")
                else [parse_number(row[f]) for row in self.world.texts]
            )
            values = sorted(v for v in numbers if v is not None)
            changed = {
                change.entity: (self.timeline.change_pos[c], parse_number(change.new_text))
                for c, change in enumerate(self.world.changes)
                if change.field == f
            }
            median = statistics.median(values) if values else None
            plain = (
                len(values) == len(numbers)
                and f not in self.world.hidden.values()
                and all(v is not None for _, v in changed.values())
            )
            cached = self._field_numbers[f] = (numbers, median, changed, plain)
        return cached

    def _mode(self, f: int) -> str | None:
        if f not in self._modes:
            texts = Counter(row[f] for row in self.world.texts)
            text, count = texts.most_common(1)[0]
            self._modes[f] = text if count > 1 else None
        return self._modes[f]

    def _expected_count(self, where: list[list[Any]]) -> int:
        n = float(len(self.world.names))
        for attribute, op, _ in where:
            f = self._field(attribute)
            choices = (
                self.template.attributes[f].choices
                if f is not None and f < len(self.template.attributes)
                else ()
            )
            n *= 1 / len(choices) if op == "==" and choices else 0.5
        return int(n + 0.5)

    # -- bookkeeping -----------------------------------------------------------------------

    def _advance(self, kind: str) -> None:
        self.turn[kind] += 1

    def _abstained(self, withheld: bool) -> None:
        self.turn["abstention"] += 1
        if withheld:
            self.unused_withheld.pop()

    def _try(self, kind: QuestionKind) -> Draft | None:
        build = _BUILDERS[kind]
        for _ in range(ATTEMPTS):
            draft = build(self)
            if draft is None:
                continue
            key = repr(draft.spec)
            if key in self.seen:
                continue
            gold = evaluate(draft.spec, draft.table)
            if (gold == ABSTAIN) != (kind == "abstention"):
                continue
            if kind != "abstention" and self._guessable(draft, gold):
                continue
            if kind != "abstention" and self._too_recent(draft):
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
        raise RuntimeError(f"could not draw a {kind} question")


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


def _stated_late(world: World, timeline: Timeline) -> dict[int, int]:
    """id of each fact stated after its entity's document -> the last timeline item stating it:
    the change that sets it, or a later update restating the field (counted for every record
    of that field: a conservative over-estimate). Any other fact is last stated by its
    entity's document."""
    at: dict[int, int] = {}
    by_field: dict[tuple[int, int], list[Fact]] = {}
    for change in world.changes:
        by_field.setdefault((change.entity, change.field), []).append(change.new)
    for c, change in enumerate(world.changes):
        pos = timeline.change_pos[c]
        at[id(change.new)] = max(at.get(id(change.new), 0), pos)
        for r in change.restate:
            fact = world.facts[change.entity][r]
            at[id(fact)] = max(at.get(id(fact), timeline.doc_pos[change.entity]), pos)
            for fact in by_field.get((change.entity, r), []):
                at[id(fact)] = max(at.get(id(fact), 0), pos)
    return at


def _numeric_part(gold: str) -> float | None:
    """The number of a numeric gold, or of the "(value)" part of a name_value gold."""
    if gold.endswith(")") and "(" in gold:
        gold = gold[gold.rindex("(") + 1 : -1]
    return parse_number(gold)


def draw_questions(
    rng: _random.Random, world: World, timeline: Timeline, kinds: list[QuestionKind], placement: str
) -> list[Draft]:
    """One draft per planned kind, in plan order."""
    asker = Asker(rng, world, timeline, placement)
    return [asker.ask(kind) for kind in kinds]
