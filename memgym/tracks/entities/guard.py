"""The closed-book guard: would a memory that kept nothing useful answer a drafted question?

A question is redrawn when its gold is what an agent without memory of the stream would answer
(the field's typical value, the prior's midpoint, the independence estimate of a count), what a
memory of the field's values without whose they are would answer (the last value stated, the
commonest one, another entity's value that scores as well), what a memory of the last event of
one kind would answer (the last document, correction or update: ``last_events``) or of a window
of ``WINDOW`` events of one kind (``Guard.windowed``), or when the
last event stating its evidence is too recent. Everything the guard reads is indexed once per field and scenario
(``Statements``), so each check is a lookup or a short scan, not a walk of the world.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from collections import Counter
from dataclasses import dataclass
from operator import attrgetter
from typing import Any, cast

from memgym.claims import parse_number
from memgym.query import evaluate
from memgym.tracks.entities.draft import Draft
from memgym.tracks.entities.last_events import LastEvents
from memgym.tracks.entities.stream import Timeline
from memgym.tracks.entities.world import World

QUESTION_GAP = 4
"""Timeline items (documents, changes, memos) that come between a question and the last one
stating its evidence, so no reader of the last few events can answer it."""
TWIN_OPS = ("value", "previous", "hop")
"""Ops whose gold is one stated value of the asked field: redrawn when another entity's stated
value of that field would score too (``Guard.twin``)."""
ONE_EVENT_OPS = ("value", "previous", "delta", "hop", "trend")
"""Ops whose gold one entity's statements give: redrawn when the last event of one kind before
the question gives it (``Guard.one_event``)."""
NUMBER_KINDS = ("int", "float")
_ENTITY = attrgetter("entity")

FieldNumbers = tuple[list[float | None], float | None, dict[int, tuple[int, float | None]], bool]
"""Per field: each entity's starting value as a number (None when not one), their median,
entity -> (timeline position, number) of the change to that field, and whether every value and
change is a number and no entity withholds the field."""


@dataclass(slots=True)
class Statements:
    """One field's statements in stream order: the timeline position of each, its text, the
    entity it is about and, for number fields, its number (what ``parse_number`` reads from
    the text); other fields' numbers are read when first asked for (``Guard.twin``)."""

    positions: list[int]
    texts: list[str]
    entities: list[int]
    numbers: list[float | None] | None
    ordered: list[float] | None = None
    """The numbers sorted (None left out), once a numeric gold is checked against them."""


def statements(world: World, timeline: Timeline, f: int) -> Statements:
    """Field ``f``'s statements. Documents state every field but the one they withhold, in entity
    order (so their positions ascend); a change states its new value, an update also restates
    a few other fields. Every item states a field at most once, so positions never repeat and
    each change's statement is inserted at its place."""
    hidden, doc_pos = world.hidden, timeline.doc_pos
    numeric = world.layout.kinds[f] in NUMBER_KINDS
    texts = [row[f] for row in world.texts]
    # a number field's values are what parse_number reads from their canonical texts
    numbers: list[Any] = [row[f] for row in world.values] if numeric else []
    entities = list(range(len(texts)))
    positions = list(doc_pos)
    if f in hidden.values():
        keep = [e for e in entities if hidden.get(e) != f]
        texts, numbers = [texts[e] for e in keep], [numbers[e] for e in keep] if numeric else []
        positions, entities = [doc_pos[e] for e in keep], keep
    for c, change in enumerate(world.changes):
        e = change.entity
        if change.field == f:
            text, value = change.new_text, change.new.value
        elif f in change.restate and hidden.get(e) != f:
            text, value = world.texts[e][f], world.values[e][f]
        else:
            continue
        pos = timeline.change_pos[c]
        i = bisect_left(positions, pos)
        insort(positions, pos)
        texts.insert(i, text)
        entities.insert(i, e)
        numbers.insert(i, value)
    return Statements(positions, texts, entities, numbers if numeric else None)


class Guard:
    """The closed-book guard of one scenario (see the module docstring)."""

    def __init__(self, world: World, timeline: Timeline) -> None:
        self.world = world
        self.timeline = timeline
        self.attributes = world.template.attributes
        self.kinds = world.layout.kinds
        self.field_of = {name: f for f, name in enumerate(world.layout.names)}
        self.stated_late = _stated_late(world, timeline)
        """id of a fact stated after its entity's document -> the last item that states it."""
        self._statements: dict[int, Statements] = {}
        self._field_numbers: dict[int, FieldNumbers] = {}
        self._modes: dict[int, str | None] = {}
        self._blind_memo: dict[tuple[int, int], tuple[str, ...]] = {}
        self.last_events = LastEvents(world, timeline)

    def guessable(self, draft: Draft, gold: str) -> bool:
        """Would an agent with no memory of the stream get this right by answering the typical
        value? Numbers are checked against the attribute's world median and prior midpoint (and
        their multiples for sums), counts against the independence estimate, text against the
        world's most common value, and value golds against what an entity-blind memory answers
        (``blind``, ``twin``) or a memory of the last event of one kind (``one_event``). Such
        questions are redrawn, so guessing scores ~0."""
        spec = draft.spec
        op = spec["op"]
        number = _numeric_part(gold)
        if self.windowed(draft, gold):
            return True
        if op in ("count", "aggregate") and spec.get("fn", "count") == "count":
            return number is not None and number == self._expected_count(spec["where"])
        f = self._field(spec.get("attribute"))
        if f is None:
            return False
        if op in TWIN_OPS and self.twin(draft, f, gold, number):
            return True
        if op in ONE_EVENT_OPS and self.one_event(draft, f, gold, number):
            return True
        blind = () if op in ("trend", "delta", "aggregate") else self.blind(f, draft.p)
        if number is None or draft.answer_type == "text":
            return gold == self._mode(f) or gold in blind
        guesses = [0.0] if op in ("trend", "delta") else self._typical_numbers(f, draft.p)
        guesses += [g for text in blind if (g := parse_number(text)) is not None]
        if op == "aggregate" and spec["fn"] == "sum":
            n = self._expected_count(spec["where"])
            guesses = [g * max(1, n) for g in guesses]
        band = max(draft.tolerance * abs(number), 0.005)
        return any(abs(number - g) <= band for g in guesses)

    def too_recent(self, draft: Draft) -> bool:
        """Does the question come within ``QUESTION_GAP`` items of the last one stating its
        evidence (so a reader of the last few events could answer it)?"""
        evidence = draft.evidence
        if not evidence:
            return draft.p < QUESTION_GAP  # last = -1
        # a fact stated late is stated after its entity's document, so the latest document of
        # an evidence entity can stand in for every fact, and the late ones are looked up
        late, doc_pos, index = self.stated_late, self.timeline.doc_pos, self.world.index
        last = max(map(doc_pos.__getitem__, map(index.__getitem__, set(map(_ENTITY, evidence)))))
        stated_late = late.keys() & map(id, evidence)
        if stated_late:
            last = max(last, *map(late.__getitem__, stated_late))
        return draft.p - 1 - last < QUESTION_GAP

    def one_event(self, draft: Draft, f: int, gold: str, number: float | None) -> bool:
        """Does a memory of only the last event of one kind before the question (document,
        correction or update: ``LastEvents``) answer it: the query over that event's
        statements (only an event about the asked entity can answer it), or, for a value op, a
        value of the asked field ``f`` the event states (current or replaced) that scores as
        the gold?"""
        spec = draft.spec
        values = spec["op"] in TWIN_OPS
        last, names = self.last_events, self.world.names
        for event in last.before(draft.p):
            if names[last.entity(event)] == spec.get("entity") and (
                evaluate(spec, last.table(event)) == gold
            ):
                return True
            if values and _scores(draft, gold, number, *last.stated(event, f)):
                return True
        return False

    def windowed(self, draft: Draft, gold: str) -> bool:
        """Does a memory of a fixed window of change events of one kind (``LastEvents.windows``:
        the last or the first ``WINDOW`` corrections, updates or changes) answer the question:
        the query over what the window states about the entities of its evidence?"""
        last, index = self.last_events, self.world.index
        entities = {index[fact.entity] for fact in draft.evidence}
        for window in last.windows(draft.p):
            table = last.merged(window, entities)
            if table is not None and evaluate(draft.spec, table) == gold:
                return True
        return False

    def statements(self, f: int) -> Statements:
        """Field ``f``'s statements (``statements``), indexed once per scenario."""
        found = self._statements.get(f)
        if found is None:
            found = self._statements[f] = statements(self.world, self.timeline, f)
        return found

    def blind(self, f: int, p: int) -> tuple[str, ...]:
        """What a memory of field ``f``'s values without whose they are answers before item
        ``p``: the values the last event stating ``f`` states, and the commonest value (ties:
        the first stated). Questions with such a gold are redrawn."""
        key = (f, p)
        found = self._blind_memo.get(key)
        if found is None:
            st = self.statements(f)
            positions, texts = st.positions, st.texts
            end = bisect_left(positions, p)
            if end == 0:
                found = ()
            else:
                # positions never repeat: the last event stating f states one value of it
                last, common = texts[end - 1], _commonest(texts[:end])
                found = (last,) if last == common else (last, common)
            self._blind_memo[key] = found
        return found

    def twin(self, draft: Draft, f: int, gold: str, number: float | None) -> bool:
        """Is another entity's value of field ``f`` stated before the question one that would
        be scored as its gold (the same text, or a number within its tolerance)? A memory of
        the field's values without whose they are would be right by picking that entity's
        value, so such questions are redrawn: the gold is the one stated value that scores."""
        owner = self.world.index[draft.evidence[-1].entity]
        st = self.statements(f)
        end = bisect_left(st.positions, draft.p)
        entities = st.entities
        if number is None or draft.answer_type == "text":
            texts = st.texts[:end]
            i = 0
            for _ in range(texts.count(gold)):
                i = texts.index(gold, i)
                if entities[i] != owner:
                    return True
                i += 1
            return False
        band = max(draft.tolerance * abs(number), 0.005)
        lo, hi = number - band, number + band
        numbers = st.numbers
        if numbers is None:
            numbers = st.numbers = [parse_number(text) for text in st.texts]
        ordered = st.ordered
        if ordered is None:
            ordered = st.ordered = sorted(v for v in numbers if v is not None)
        # every statement in the band, at any position, is the owner's: no twin (the usual case)
        in_band = bisect_right(ordered, hi) - bisect_left(ordered, lo)
        i, owners = -1, 0
        for _ in range(entities.count(owner)):
            i = entities.index(owner, i + 1)
            value = numbers[i]
            owners += value is not None and lo <= value <= hi
        if in_band == owners:
            return False
        for i in range(end):
            value = numbers[i]
            if value is not None and lo <= value <= hi and entities[i] != owner:
                return True
        return False

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
        guesses += [_median(so_far)] if so_far else []
        if f < len(self.attributes):
            a = self.attributes[f]
            guesses.append((a.low + a.high) / 2)
        if self.kinds[f] == "int":
            guesses += [float(round(g)) for g in guesses]
        return guesses

    def _numbers(self, f: int) -> FieldNumbers:
        """Field ``f``'s statistics, computed once per scenario (see ``FieldNumbers``)."""
        cached = self._field_numbers.get(f)
        if cached is None:
            numbers: list[float | None] = (
                # a number field's values: what parse_number reads from its texts
                cast(list[float | None], [row[f] for row in self.world.values])
                if self.kinds[f] in NUMBER_KINDS
                else [parse_number(row[f]) for row in self.world.texts]
            )
            values = sorted([v for v in numbers if v is not None])
            changed = {
                change.entity: (self.timeline.change_pos[c], parse_number(change.new_text))
                for c, change in enumerate(self.world.changes)
                if change.field == f
            }
            median = _median(values) if values else None
            plain = (
                len(values) == len(numbers)
                and f not in self.world.hidden.values()
                and all(v is not None for _, v in changed.values())
            )
            cached = self._field_numbers[f] = (numbers, median, changed, plain)
        return cached

    def _mode(self, f: int) -> str | None:
        """The world's commonest value of field ``f`` when some value repeats, else None."""
        if f not in self._modes:
            column = [row[f] for row in self.world.texts]
            common = _commonest(column)
            self._modes[f] = common if column.count(common) > 1 else None
        return self._modes[f]

    def _expected_count(self, where: list[list[Any]]) -> int:
        n = float(len(self.world.names))
        for attribute, op, _ in where:
            f = self._field(attribute)
            choices = (
                self.attributes[f].choices if f is not None and f < len(self.attributes) else ()
            )
            n *= 1 / len(choices) if op == "==" and choices else 0.5
        return int(n + 0.5)


def _stated_late(world: World, timeline: Timeline) -> dict[int, int]:
    """id of each fact stated after its entity's document -> the last timeline item stating it:
    the change that sets it, or a later update restating the field (counted for every record
    of that field: a conservative over-estimate). Any other fact is last stated by its
    entity's document."""
    at: dict[int, int] = {}
    by_field: dict[tuple[int, int], list[Any]] = {}
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


def _median(values: list[float]) -> float:
    """``statistics.median`` of ``values`` (not empty), without its checks and conversions."""
    ordered = sorted(values)
    n = len(ordered)
    if n % 2:
        return ordered[n // 2]
    return (ordered[n // 2 - 1] + ordered[n // 2]) / 2


def _commonest(texts: list[str]) -> str:
    """The commonest of ``texts`` (not empty); ties go to the first stated."""
    if len(set(texts)) == len(texts):  # all distinct: every count is 1
        return texts[0]
    counts = Counter(texts)
    most = max(counts.values())
    return next(text for text, count in counts.items() if count == most)  # the first stated


def _scores(draft: Draft, gold: str, number: float | None, *stated: str) -> bool:
    """Would one of the ``stated`` texts score as ``gold`` (the same text, or for a number gold
    a number within its tolerance band)?"""
    if number is None or draft.answer_type == "text":
        return gold in stated
    band = max(draft.tolerance * abs(number), 0.005)
    for text in stated:
        if (v := parse_number(text)) is not None and abs(v - number) <= band:
            return True
    return False


def _numeric_part(gold: str) -> float | None:
    """The number of a numeric gold, or of the "(value)" part of a name_value gold."""
    if gold.endswith(")") and "(" in gold:
        gold = gold[gold.rindex("(") + 1 : -1]
    return parse_number(gold)
