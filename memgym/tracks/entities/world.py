"""The world of one scenario: entities, their attribute and relation values, and later changes.

Fields are a template's attributes followed by its relations; ``World.facts[e][f]`` is the fact
entity ``e`` starts with for field ``f`` and ``World.texts[e][f]`` its canonical text.
``World.hidden[e]`` names the one field (if any) that entity ``e``'s document withholds, so that an
abstention question can ask for it: that fact is never stated and never becomes a scenario fact.
A change (correction or unlabeled update) replaces one scalar numeric value with a new fact.
Changes far outnumber the maintenance questions (most are decoys, never asked about), so a
memory that keeps a bounded number of change events holds few of the ones asked about; each
(entity, field) changes at most once, and an entity may change in several fields.

Facts are the scenario's own ``memgym.types.Fact`` objects from the start (built without
validation: every value is valid by construction), with id ``""`` and step ``-1`` until the
stream is written out and the first event stating a fact gives it both (``fast.state``).
"""

from __future__ import annotations

import random as _random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from memgym.claims import format_value
from memgym.tracks.entities.fast import build_facts, new_fact
from memgym.tracks.entities.names import entity_names
from memgym.tracks.entities.templates import TEMPLATES, Template
from memgym.tracks.entities.values import changed, drawers
from memgym.types import Fact, Value

CORRECTION, UPDATE = "correction", "update"
RESTATED = (2, 3)
"""An update restates between these many unchanged numeric values besides the changed one."""


def number(fact: Fact) -> float:
    """The value of a numeric fact."""
    value = fact.value
    assert isinstance(value, (int, float))
    return value


@dataclass(slots=True)
class Change:
    """``entity``'s field ``field`` goes from ``old`` to ``new``; updates restate other fields."""

    kind: str
    entity: int
    field: int
    old: Fact
    new: Fact
    old_text: str
    new_text: str
    restate: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class Layout:
    """Per-template field indices the generator keeps asking for (computed once)."""

    names: tuple[str, ...]
    kinds: tuple[str, ...]
    numeric: tuple[int, ...]
    varying: tuple[int, ...]
    """Numeric fields that may change without notice (what unlabeled updates touch)."""
    additive: tuple[int, ...]
    enums: tuple[int, ...]
    series: tuple[int, ...]
    withholdable: tuple[int, ...]
    relations: tuple[int, ...]
    scalars: tuple[int, ...]
    """Every non-series field, relations included: what a value question may ask."""


def layout(template: Template) -> Layout:
    """The field layout of ``template`` (computed at import)."""
    return _LAYOUTS[template.name]


def _layout(template: Template) -> Layout:
    attrs = template.attributes
    n = len(attrs)
    kinds = tuple(a.type for a in attrs) + ("relation",) * len(template.relations)
    return Layout(
        names=tuple(a.name for a in attrs) + tuple(r.name for r in template.relations),
        kinds=kinds,
        numeric=tuple(i for i, a in enumerate(attrs) if a.numeric),
        varying=tuple(i for i, a in enumerate(attrs) if a.numeric and not a.static),
        additive=tuple(i for i, a in enumerate(attrs) if a.numeric and a.additive),
        enums=tuple(i for i, a in enumerate(attrs) if a.type == "enum"),
        series=tuple(i for i, a in enumerate(attrs) if a.type == "series"),
        withholdable=tuple(i for i, a in enumerate(attrs) if a.type in ("text", "date")),
        relations=tuple(range(n, len(kinds))),
        scalars=tuple(i for i, k in enumerate(kinds) if k != "series"),
    )


_LAYOUTS = {name: _layout(t) for name, t in TEMPLATES.items()}


@dataclass(slots=True)
class World:
    """Everything true in one scenario, before it is ordered into a stream."""

    template: Template
    layout: Layout
    names: list[str]
    facts: list[list[Fact]]
    texts: list[list[str]]
    """``texts[e][f]``: the canonical text of ``facts[e][f]`` (``format_value`` of its value)."""
    values: list[list[Value]]
    """``values[e][f]``: the value of ``facts[e][f]``, in a plain list: the guard reads whole
    columns of it without touching the fact objects."""
    index: dict[str, int]
    changes: list[Change] = field(default_factory=list)
    change_of: dict[tuple[int, int], int] = field(default_factory=dict)
    """(entity, field) -> the index of its change (a field changes at most once)."""
    hidden: dict[int, int] = field(default_factory=dict)
    """entity -> the field its document withholds."""
    withheld: list[tuple[int, int]] = field(default_factory=list)
    """The (entity, field) pairs of ``hidden``, in the order they were drawn."""
    absent: list[str] = field(default_factory=list)


def build_world(
    rng: _random.Random,
    template: Template,
    entities: int,
    corrections: int,
    updates: int,
    withheld: int,
    absent: int,
) -> World:
    """Draw a world: ``entities`` entities plus ``absent`` names that never appear in it."""
    random = rng.random
    lay = layout(template)
    all_names = entity_names(rng.sample, random, template.names, entities + absent)
    names = all_names[:entities]
    draws = drawers(template)
    links = [_cycle(rng, entities) for _ in lay.relations]
    records: list[dict[str, Any]] = []
    values: list[list[Value]] = []
    texts: list[list[str]] = []
    fields = lay.names
    for e, name in enumerate(names):
        drawn_values, drawn_texts = zip(*[draw(random) for draw in draws])
        others = [names[targets[e]] for targets in links]  # relation values: names
        row = [*drawn_values, *others]
        records += [
            {"id": "", "entity": name, "attribute": attr, "value": value, "step": -1}
            for attr, value in zip(fields, row)
        ]
        values.append(row)
        texts.append([*drawn_texts, *others])
    built, width = build_facts(records), len(fields)
    facts = [built[i : i + width] for i in range(0, len(built), width)]
    world = World(
        template,
        lay,
        names,
        facts,
        texts,
        values,
        {n: i for i, n in enumerate(names)},
        absent=all_names[entities:],
    )
    _withhold(rng, world, withheld)
    _changes(rng, world, corrections, updates)
    return world


def _cycle(rng: _random.Random, n: int) -> list[int]:
    """A random n-cycle as target indices: each entity links to one other and is linked to by
    exactly one, so no name is a more likely relation value than another (nothing to guess)."""
    order = list(range(n))
    rng.shuffle(order)
    targets = [0] * n
    for i, e in enumerate(order):
        targets[e] = order[(i + 1) % n]
    return targets


def _withhold(rng: _random.Random, world: World, count: int) -> None:
    fields = world.layout.withholdable
    for e in rng.sample(range(len(world.names)), min(count, len(world.names))):
        f = fields[int(rng.random() * len(fields))]
        world.hidden[e] = f
        world.withheld.append((e, f))


def _changes(rng: _random.Random, world: World, corrections: int, updates: int) -> None:
    random = rng.random
    attrs = world.template.attributes
    n = len(world.names)
    kinds = [CORRECTION] * corrections + [UPDATE] * updates
    rng.shuffle(kinds)
    for kind, start in zip(kinds, _strata(random, n, len(kinds))):
        fields = world.layout.numeric if kind == CORRECTION else world.layout.varying
        e, free = _free_entity(world, start, fields)
        f = free[int(random() * len(free))]
        old = world.facts[e][f]
        value = changed(random, attrs[f], number(old))
        world.change_of[(e, f)] = len(world.changes)
        world.changes.append(
            Change(
                kind,
                e,
                f,
                old,
                new_fact(old.entity, old.attribute, value),
                world.texts[e][f],
                format_value(value),
            )
        )
    _restate(rng, world)


def _free_entity(world: World, start: int, fields: tuple[int, ...]) -> tuple[int, list[int]]:
    """The first entity from ``start`` on (wrapping) with a field of ``fields`` that has not
    changed yet, and those fields (``params`` keeps the changes within the fields there are)."""
    n = len(world.names)
    for i in range(n):
        e = (start + i) % n
        free = [f for f in fields if (e, f) not in world.change_of]
        if free:
            return e, free
    raise ValueError("more changes than changeable fields")


def _restate(rng: _random.Random, world: World) -> None:
    """Give each update the few unchanged numbers it restates: fields of its entity that never
    change, so a restated value is always the entity's current one."""
    random = rng.random
    for change in world.changes:
        if change.kind != UPDATE:
            continue
        e = change.entity
        others = [g for g in world.layout.varying if (e, g) not in world.change_of]
        k = RESTATED[0] + int(random() * (RESTATED[1] - RESTATED[0] + 1))
        change.restate = tuple(rng.sample(others, min(k, len(others))))


def _strata(random: Callable[[], float], n: int, k: int) -> list[int]:
    """``k`` entities of ``n``, one drawn from each of ``k`` equal slices of the entity order
    (a slice holds a fraction of an entity when ``k > n``), so some change always comes early
    and a question can be asked many documents after it (a uniform sample often leaves every
    change late)."""
    return [min(n - 1, int((j + random()) * n / k)) for j in range(k)]
