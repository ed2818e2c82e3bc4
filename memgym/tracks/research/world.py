"""The world of one scenario: a typed knowledge graph built around its research tasks.

Each task is a chain: ``chain[0] --relations[0]--> chain[1] --> ...``, ending either at an
integer attribute of the last documented entity or at the name the last relation points to.
Every chain entity is documented by exactly one search result; each of its turns also shows
``siblings`` near misses (same type, a name sharing one part, a different value for the field
the turn is about). Relations that no chain follows point at random chain entities of the right
type or at a few background entities (named, never documented). A correction states one
chain link wrong in its document and fixes it in a later erratum. Facts are the scenario's own
``Fact`` objects from the start, with their ids and steps filled in when first stated.
"""

from __future__ import annotations

import random as _random
from dataclasses import dataclass, field
from typing import Any

from memgym.tracks.entities.fast import build_fact, new_fact
from memgym.tracks.research.names import Namer
from memgym.tracks.research.params import hop_schedule
from memgym.tracks.research.schema import ATTRIBUTES, FIELDS, RELATIONS, SPECS, TYPES
from memgym.types import Fact

ATTRIBUTE_ENDING = 0.6
"""Share of chains that end at an attribute (the rest end at an entity's name)."""
CHAIN, SIBLING, BACKGROUND = "chain", "sibling", "background"
BACKGROUND_PER_TYPE = 16
"""Named-only entities per type that unrelated links may point at, so that no name is so common
among link values that it makes a good guess."""


def value_of(fact: Fact) -> int | str:
    """A research fact's value: an integer attribute or the name a relation points to."""
    value = fact.value
    assert isinstance(value, (int, str))
    return value


@dataclass(slots=True)
class Entity:
    """One node: its name, type, role and the facts its document states, by field name."""

    name: str
    kind: str
    role: str
    facts: dict[str, Fact] = field(default_factory=dict)


@dataclass(slots=True)
class Fix:
    """Chain link ``turn`` is stated as ``wrong`` in its document and corrected to ``right``."""

    turn: int
    wrong: Fact
    right: Fact


@dataclass(slots=True)
class Task:
    """One research task: the chain its turns document, what its questions ask."""

    chain: list[int]
    relations: list[str]
    attribute: str | None
    """The final attribute, or None when the chain ends at the name ``answer``."""
    answer: int
    siblings: list[list[int]] = field(default_factory=list)
    prefix: int = 0
    """Hops of the intermediate question (0: none). It always ends at ``prefix_attribute`` of
    ``chain[prefix - 1]``: a name there would be ``chain[prefix]``, which the next page's query
    header and its siblings' near-miss names (distractor events) give away."""
    prefix_attribute: str | None = None
    fix: Fix | None = None

    @property
    def hops(self) -> int:
        return len(self.chain)

    def turn_field(self, turn: int) -> str:
        """The field turn ``turn`` is about: its relation, or the final attribute."""
        return self.relations[turn] if turn < len(self.relations) else str(self.attribute)

    def used(self, intermediate: bool) -> int:
        """How many chain links a question follows."""
        if not intermediate:
            return len(self.relations)
        return max(0, self.prefix - 1)


@dataclass(slots=True)
class World:
    entities: list[Entity]
    tasks: list[Task]
    by_kind: dict[str, list[int]] = field(default_factory=dict)
    """Chain entities of each type (with the background ones, what unrelated links point at)."""
    namer: Namer | None = None
    """The world's namer, for the look-alikes the entity-blind guard adds (unique names)."""


def link_targets(world: World) -> dict[str, list[str]]:
    """Per entity type, the names a link may point at (the chain and background entities), in
    the world's order; a new dict each call, which a caller may extend."""
    out: dict[str, list[str]] = {}
    for e in world.entities:
        if e.role in (CHAIN, BACKGROUND):
            out.setdefault(e.kind, []).append(e.name)
    return out


class _Builder:
    def __init__(self, rng: _random.Random) -> None:
        self.rng = rng
        self.random = rng.random
        self.namer = Namer(rng.random)
        self.entities: list[Entity] = []
        self.background: dict[str, list[int]] = {}
        self.index: dict[str, int] = {}
        self.pools: dict[str, tuple[int, ...]] = {}
        """Per type, the chain then background entities ``other`` picks from (the chain ones of
        each type are fixed before the first pick)."""
        self.places: dict[str, dict[int, int]] = {}
        """Per type, each entity of its pool -> its place there."""

    def pick(self, options: Any) -> Any:
        return options[int(self.random() * len(options))]

    def add(self, name: str, kind: str, role: str) -> int:
        self.entities.append(Entity(name, kind, role))
        self.index[name] = len(self.entities) - 1
        return len(self.entities) - 1

    def other(self, kind: str, by_kind: dict[str, list[int]], avoid: set[int]) -> int:
        """A chain or background entity of ``kind`` outside ``avoid``."""
        base = self.pools.get(kind)
        if base is None:
            self.background[kind] = [
                self.add(self.namer.fresh(kind), kind, BACKGROUND)
                for _ in range(BACKGROUND_PER_TYPE)
            ]
            base = self.pools[kind] = (*by_kind.get(kind, ()), *self.background[kind])
            self.places[kind] = {e: i for i, e in enumerate(base)}
        places = self.places[kind]
        skipped = [places[e] for e in avoid if e in places]
        k = int(self.random() * (len(base) - len(skipped)))  # a place in base less avoid
        if skipped:
            skipped.sort()
            for place in skipped:  # that place counted in base (its entities are distinct)
                if k >= place:
                    k += 1
        return base[k]


def _chain(b: _Builder, hops: int) -> Task:
    kinds = [b.pick(tuple(TYPES))]
    attribute_ending = b.random() < ATTRIBUTE_ENDING
    links = hops - 1 if attribute_ending else hops
    relations: list[str] = []
    for _ in range(links):
        rel = b.pick(RELATIONS[kinds[-1]])
        relations.append(rel.name)
        kinds.append(rel.target)
    chain = [b.add(b.namer.fresh(k), k, CHAIN) for k in kinds[:hops]]
    attribute = b.pick(ATTRIBUTES[kinds[hops - 1]]).name if attribute_ending else None
    return Task(chain, relations, attribute, -1)


def build_world(rng: _random.Random, p: dict[str, Any]) -> World:
    """Draw the tasks, their siblings, every fact, the intermediate questions and corrections."""
    b = _Builder(rng)
    hops = hop_schedule(p)
    rng.shuffle(hops)
    tasks = [_chain(b, h) for h in hops]
    by_kind: dict[str, list[int]] = {}
    for task in tasks:
        for e in task.chain:
            by_kind.setdefault(b.entities[e].kind, []).append(e)
    for task in tasks:
        if task.attribute is None:
            target = FIELDS[task.relations[-1]].target
            task.answer = b.other(target, by_kind, set(task.chain))
    for task in tasks:
        for e in task.chain:
            kind, name = b.entities[e].kind, b.entities[e].name
            task.siblings.append(
                [b.add(b.namer.near_miss(kind, name), kind, SIBLING) for _ in range(p["siblings"])]
            )
    for task in tasks:
        _fill_chain(b, task, by_kind)
    for task in tasks:
        for turn, sibs in enumerate(task.siblings):
            truth = value_of(b.entities[task.chain[turn]].facts[task.turn_field(turn)])
            for s in sibs:
                _fill(b, s, by_kind, {task.turn_field(turn): truth})
    _intermediates(b, tasks, p["intermediate"])
    _corrections(b, tasks, p["corrections"], by_kind)
    return World(b.entities, tasks, by_kind, b.namer)


def _fill_chain(b: _Builder, task: Task, by_kind: dict[str, list[int]]) -> None:
    targets = task.chain[1:] + ([task.answer] if task.attribute is None else [])
    for turn, e in enumerate(task.chain):
        fixed: dict[str, int] = {}
        if turn < len(task.relations):
            fixed[task.relations[turn]] = targets[turn]
        _fill(b, e, by_kind, {}, fixed)


def _fill(
    b: _Builder,
    e: int,
    by_kind: dict[str, list[int]],
    differ: dict[str, int | str],
    fixed: dict[str, int] | None = None,
) -> None:
    """Every field of entity ``e``: ``fixed`` links as given, a value unlike ``differ``'s for
    those fields, everything else drawn."""
    entity = b.entities[e]
    name, facts = entity.name, entity.facts
    random = b.random
    for attribute, target, low, span, mid in SPECS[entity.kind]:
        if fixed and attribute in fixed:
            value: int | str = b.entities[fixed[attribute]].name
        elif target:  # a relation
            avoid = {e}
            if attribute in differ:
                avoid.add(b.index[str(differ[attribute])])
            value = b.entities[b.other(target, by_kind, avoid)].name
        else:  # _Builder.value, inlined
            shun = differ.get(attribute)
            shun = shun if isinstance(shun, int) else None
            while True:
                value = low + int(random() * span)
                if value != mid and value != shun:
                    break
        facts[attribute] = build_fact(
            {"id": "", "entity": name, "attribute": attribute, "value": value, "step": -1}
        )


def _intermediates(b: _Builder, tasks: list[Task], count: int) -> None:
    eligible = [t for t in tasks if t.hops >= 3]
    for task in b.rng.sample(eligible, min(count, len(eligible))):
        task.prefix = 2 + int(b.random() * (task.hops - 2))
        kind = b.entities[task.chain[task.prefix - 1]].kind
        task.prefix_attribute = b.pick(ATTRIBUTES[kind]).name


def _corrections(b: _Builder, tasks: list[Task], count: int, by_kind: dict[str, list[int]]) -> None:
    for task in b.rng.sample(tasks, count):
        turn = int(b.random() * len(task.relations))
        entity = b.entities[task.chain[turn]]
        rel = task.relations[turn]
        right = entity.facts[rel]
        avoid = set(task.chain) | {b.index[str(right.value)]}
        wrong = new_fact(
            entity.name, rel, b.entities[b.other(FIELDS[rel].target, by_kind, avoid)].name
        )
        entity.facts[rel] = wrong
        task.fix = Fix(turn, wrong, new_fact(entity.name, rel, right.value))
