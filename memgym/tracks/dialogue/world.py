"""The world of one dialogue: the customer's profile, its later changes, the travel party and the
colleagues the customer chats about (near misses).

A profile attribute is a fact about the customer. ``CHANGEABLE`` attributes may change,
either by a correction (the customer says the earlier value was wrong) or by an unlabeled
update (the customer simply states a new value); ``rechanges`` of the changed ones that
questions ask about change a second time, later, by an update, so the value before the last
change is stated on one page and known to be the previous one only from another. Numeric
limits only tighten and dates only move outward, so the profile stays consistent (the return
flight is always after the outbound). Fact ids and steps are filled in when the stream is written out.
"""

from __future__ import annotations

import random as _random
from dataclasses import dataclass, field
from datetime import date, timedelta

from memgym.tracks.dialogue.vocab import (
    CABINS,
    CITIES,
    EMPLOYER_HEADS,
    EMPLOYER_TAILS,
    FIRST_NAMES,
    LAST_NAMES,
    MEALS,
)
from memgym.tracks.factrec import FactRec
from memgym.types import Value

CORRECTION, UPDATE = "correction", "update"
PROFILE = (
    "home_city",
    "destination",
    "travel_date",
    "return_date",
    "cabin",
    "max_stops",
    "max_price_usd",
    "loyalty_number",
    "date_of_birth",
    "passport_expiry",
    "employer",
    "emergency_contact",
)
"""The customer's attributes, in the order the opening of the dialogue is planned from."""
CHANGEABLE = (
    "destination",
    "travel_date",
    "return_date",
    "max_price_usd",
    "max_stops",
    "cabin",
    "employer",
    "emergency_contact",
)
FEW_VALUED = ("cabin", "max_stops")
"""Profile attributes with few possible values: no question asks about them."""
ASKABLE = tuple(a for a in PROFILE if a not in FEW_VALUED)
"""Attributes with many possible values: what value and previous-value questions ask about."""
COLLEAGUE_TRIP = ("home_city", "destination", "travel_date", "max_price_usd", "return_date")
"""A colleague's facts the customer tells in one chat about the colleague's trip; the rest
(employer, emergency contact, date of birth, loyalty number, passport) come in another."""
COMPANION_ASKABLE = ("date_of_birth", "loyalty_number", "passport_expiry")
"""A companion's attributes that value questions ask about (meal is asked by counting)."""
PARTY = 16
"""Travellers in the customer's party at every tier: ``companions`` of them with full details
(``COMPANION_ASKABLE``), the rest named with their meal only. The meal count is uniform over
``1..PARTY``, so no constant count holds more than ~1/16 of the count questions."""
PRICE_FLOOR = 100
"""The lowest price limit a change leaves (one cut never reaches it: limits start at 400)."""
FIRST_DAY = date(2027, 3, 1)
"""Outbound dates fall within ``TRIP_WINDOW`` days of this day."""
TRIP_WINDOW = 150


@dataclass(slots=True)
class Change:
    """The customer's ``attribute`` goes from ``old`` to ``new``."""

    kind: str
    attribute: str
    old: FactRec
    new: FactRec
    second: bool = False
    """The attribute's second change (an update after an earlier change of it)."""


@dataclass(slots=True)
class Person:
    """Someone other than the customer: a companion (travel party) or a colleague (near miss)."""

    name: str
    facts: list[FactRec]

    @property
    def meal(self) -> str:
        """A party member's meal (a colleague has none: ``StopIteration``)."""
        return next(f.text for f in self.facts if f.attribute == "meal")


@dataclass(slots=True)
class World:
    """Everything true in one dialogue, before it is ordered into a stream."""

    user: str
    profile: dict[str, FactRec]
    changes: list[Change] = field(default_factory=list)
    companions: list[Person] = field(default_factory=list)
    colleagues: list[Person] = field(default_factory=list)
    contacts: list[str] = field(default_factory=list)
    """Unused names for colleagues' changed emergency contacts."""
    counted_meal: str = ""
    """The meal the count question asks about: ``1..PARTY`` of the party chose it, each count
    equally likely, so no constant count beats chance over that support (never 0: a reader
    that read nothing answers 0)."""

    def current(self, attribute: str) -> FactRec:
        """The customer's fact for ``attribute`` after every change."""
        change = self.change_of(attribute)
        return self.profile[attribute] if change is None else change.new

    def change_of(self, attribute: str) -> Change | None:
        """The last change of ``attribute`` (None: it never changed)."""
        return next((c for c in reversed(self.changes) if c.attribute == attribute), None)

    def rechanged(self, attribute: str) -> bool:
        """Whether ``attribute`` changes twice (its first change is then planned earlier)."""
        return any(c.second and c.attribute == attribute for c in self.changes)


def some_day(rng: _random.Random, start: date, span: int) -> date:
    """A day within ``span`` days from ``start``."""
    return start + timedelta(days=int(rng.random() * span))


def _names(rng: _random.Random, count: int) -> list[str]:
    """``count`` distinct full names with distinct first and last names (never confusable)."""
    firsts = rng.sample(FIRST_NAMES, count)
    lasts = rng.sample(LAST_NAMES, count)
    return [f"{a} {b}" for a, b in zip(firsts, lasts)]


def _contacts(rng: _random.Random, count: int, people: list[str]) -> list[str]:
    """``count`` distinct names for colleagues' emergency contacts, made of first and last names
    no person of the world uses (so no contact is confusable with anyone asked about)."""
    taken = {part for name in people for part in name.split()}
    firsts = [n for n in FIRST_NAMES if n not in taken]
    lasts = [n for n in LAST_NAMES if n not in taken]
    names: dict[str, None] = {}
    while len(names) < count:
        names[f"{rng.choice(firsts)} {rng.choice(lasts)}"] = None
    return list(names)


def employer_name(rng: _random.Random, avoid: str = "") -> str:
    """A company name (two words), not ``avoid``."""
    while True:
        name = f"{rng.choice(EMPLOYER_HEADS)} {rng.choice(EMPLOYER_TAILS)}"
        if name != avoid:
            return name


def _other(rng: _random.Random, options: tuple[str, ...], avoid: set[str]) -> str:
    return rng.choice([o for o in options if o not in avoid])


def build_world(
    rng: _random.Random,
    companions: int,
    colleagues: int,
    corrections: int,
    updates: int,
    rechanges: int = 0,
) -> World:
    """Draw the customer, their party (``PARTY`` travellers, ``companions`` of them with full
    details), the colleagues and the profile changes (``rechanges`` of the changed askable
    attributes change again: ``second_changes``)."""
    party = max(PARTY, companions)
    people = _names(rng, 1 + party + colleagues + 2 + corrections + updates + rechanges)
    user, spare = people[0], people[1 + party + colleagues :]
    contacts = _contacts(rng, colleagues + corrections + updates, people)
    home = rng.choice(CITIES)
    outbound = some_day(rng, FIRST_DAY, TRIP_WINDOW)
    values: dict[str, Value] = {
        "home_city": home,
        "destination": _other(rng, CITIES, {home}),
        "travel_date": outbound.isoformat(),
        "return_date": (outbound + timedelta(days=7 + int(rng.random() * 15))).isoformat(),
        "cabin": rng.choice(CABINS),
        "max_stops": 1 + int(rng.random() * 2),
        "max_price_usd": 400 + 10 * int(rng.random() * 111),
        "loyalty_number": str(rng.randrange(100_000_000, 1_000_000_000)),
        "date_of_birth": some_day(rng, date(1955, 1, 1), 48 * 365).isoformat(),
        "passport_expiry": some_day(rng, date(2028, 1, 1), 8 * 365).isoformat(),
        "employer": employer_name(rng),
        "emergency_contact": spare.pop(),
    }
    world = World(user, {a: FactRec(user, a, values[a]) for a in PROFILE})
    world.counted_meal = rng.choice(MEALS)
    choosing = 1 + int(rng.random() * party)
    others = [m for m in MEALS if m != world.counted_meal]
    meals = [world.counted_meal] * choosing
    meals += [rng.choice(others) for _ in range(party - choosing)]
    rng.shuffle(meals)
    for i, (name, meal) in enumerate(zip(people[1 : 1 + party], meals)):
        facts = [FactRec(name, "travels_with", user), FactRec(name, "meal", meal)]
        if i < companions:
            born = some_day(rng, date(1940, 1, 1), 82 * 365).isoformat()
            facts.append(FactRec(name, "date_of_birth", born))
            facts.append(
                FactRec(name, "loyalty_number", str(rng.randrange(100_000_000, 1_000_000_000)))
            )
            expiry = some_day(rng, date(2028, 1, 1), 8 * 365).isoformat()
            facts.append(FactRec(name, "passport_expiry", expiry))
        world.companions.append(Person(name, facts))
    for name in people[1 + party : 1 + party + colleagues]:
        facts = [FactRec(name, "home_city", rng.choice(CITIES))]
        facts.append(FactRec(name, "destination", _other(rng, CITIES, {str(facts[0].value)})))
        facts.append(
            FactRec(name, "travel_date", some_day(rng, FIRST_DAY, TRIP_WINDOW).isoformat())
        )
        facts.append(FactRec(name, "max_price_usd", 400 + 10 * int(rng.random() * 111)))
        back = date.fromisoformat(str(facts[2].value)) + timedelta(days=3 + int(rng.random() * 20))
        facts.append(FactRec(name, "return_date", back.isoformat()))
        facts.append(FactRec(name, "employer", employer_name(rng)))
        facts.append(FactRec(name, "emergency_contact", contacts.pop()))
        born = some_day(rng, date(1955, 1, 1), 48 * 365).isoformat()
        facts.append(FactRec(name, "date_of_birth", born))
        facts.append(
            FactRec(name, "loyalty_number", str(rng.randrange(100_000_000, 1_000_000_000)))
        )
        facts.append(
            FactRec(name, "passport_expiry", some_day(rng, date(2028, 1, 1), 8 * 365).isoformat())
        )
        world.colleagues.append(Person(name, facts))
    kinds = [CORRECTION] * corrections + [UPDATE] * updates
    for kind, attribute in zip(kinds, rng.sample(CHANGEABLE, len(kinds))):
        old = world.profile[attribute]
        new = FactRec(user, attribute, _changed(rng, attribute, old.value, spare, home))
        world.changes.append(Change(kind, attribute, old, new))
    world.changes += second_changes(rng, world, rechanges, spare, home)
    world.contacts = contacts
    return world


def second_changes(
    rng: _random.Random, world: World, count: int, spare: list[str], home: str
) -> list[Change]:
    """Updates of ``count`` of the changed attributes questions ask about (``ASKABLE``; fewer
    where fewer changed; corrected ones first), each to a value neither earlier one had: the
    value before the last change is then the corrected value, which one page states as the
    current one and only a later page shows to be stale. (After an update, the page stating it
    would give it to a memory answering a previous-value question with the value it holds.)"""
    changed = [c for c in world.changes if c.attribute in ASKABLE]
    corrected = [c for c in changed if c.kind == CORRECTION]
    updated = [c for c in changed if c.kind != CORRECTION]
    chosen = rng.sample(corrected, min(count, len(corrected)))
    chosen += rng.sample(updated, min(count - len(chosen), len(updated)))
    out = []
    for first in chosen:
        value = first.new.value
        for _ in range(20):  # a value the attribute never had (a third city, name, date)
            value = _changed(rng, first.attribute, first.new.value, spare, home)
            if value != first.old.value:
                break
        new = FactRec(world.user, first.attribute, value)
        out.append(Change(UPDATE, first.attribute, first.new, new, second=True))
    return out


def colleague_change(rng: _random.Random, world: World, fact: FactRec) -> FactRec:
    """A new value of a colleague's ``fact`` (their plans change too): drawn as the customer's
    changes are, so a change is no sign of whose it is."""
    home = next((f.text for f in world.colleagues[0].facts if f.attribute == "home_city"), "")
    for person in world.colleagues:
        if person.name == fact.entity:
            home = next(f.text for f in person.facts if f.attribute == "home_city")
    value = _changed(rng, fact.attribute, fact.value, world.contacts, home)
    return FactRec(fact.entity, fact.attribute, value)


def _iso(value: Value) -> date:
    return date.fromisoformat(str(value))


def _changed(rng: _random.Random, attribute: str, old: Value, spare: list[str], home: str) -> Value:
    """A new value for ``attribute``: limits tighten, dates move outward, names differ."""
    if attribute == "destination":
        return _other(rng, CITIES, {str(old), home})
    if attribute == "travel_date":
        return (_iso(old) - timedelta(days=1 + int(rng.random() * 14))).isoformat()
    if attribute == "return_date":
        return (_iso(old) + timedelta(days=1 + int(rng.random() * 10))).isoformat()
    if attribute == "max_price_usd":  # at least PRICE_FLOOR after two cuts
        assert isinstance(old, int)
        cut = 4 + int(rng.random() * 17)
        return old - 10 * min(cut, max(1, (old - PRICE_FLOOR) // 10))
    if attribute == "max_stops":
        assert isinstance(old, int)
        return old - 1
    if attribute == "cabin":
        return _other(rng, CABINS, {str(old)})
    if attribute == "employer":
        return employer_name(rng, str(old))
    if attribute == "emergency_contact":
        return spare.pop()
    raise ValueError(f"attribute {attribute!r} cannot change")
