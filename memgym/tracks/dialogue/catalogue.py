"""Flight catalogues: the search results the agent must choose from, near misses included.

Each booking is a leg with matching rules ``(item attribute, op, customer attribute)``. Its
catalogue holds exactly one flight meeting every rule under the customer's current profile
(the target), one flight failing only rule r for every rule r, one flight meeting the profile
as it was before its changes (when a change touches the leg), and flights failing several rules.
"""

from __future__ import annotations

import random as _random
from dataclasses import dataclass
from datetime import date, timedelta

from memgym.tracks.dialogue.vocab import AIRLINES, CABINS, CITIES
from memgym.tracks.dialogue.world import FactRec, Person, World
from memgym.types import Value

Rule = tuple[str, str, str]
ITEM_ATTRS = (
    "catalogue",
    "airline",
    "from_city",
    "to_city",
    "day",
    "departs",
    "cabin_class",
    "stops",
    "fare_usd",
)
MAX_STOPS_LISTED = 3
MIN_FARE = 90


@dataclass(frozen=True, slots=True)
class Leg:
    """One kind of booking: its name in prose and the rules a flight must meet."""

    name: str
    rules: tuple[Rule, ...]


_LIMITS: tuple[Rule, ...] = (
    ("cabin_class", "==", "cabin"),
    ("stops", "<=", "max_stops"),
    ("fare_usd", "<=", "max_price_usd"),
)
OUTBOUND = Leg(
    "outbound",
    (
        ("from_city", "==", "home_city"),
        ("to_city", "==", "destination"),
        ("day", "==", "travel_date"),
        *_LIMITS,
    ),
)
RETURN = Leg(
    "return",
    (
        ("from_city", "==", "destination"),
        ("to_city", "==", "home_city"),
        ("day", "==", "return_date"),
        *_LIMITS,
    ),
)
LEGS = (OUTBOUND, RETURN, OUTBOUND)
"""Booking i searches ``LEGS[i]``: outbound, return, then the outbound again (fares expired)."""


@dataclass(slots=True)
class Catalogue:
    """One search result: its tag, the leg searched, its flights and the one that fits."""

    tag: str
    leg: Leg
    items: list[Person]
    target: str


def satisfies(values: dict[str, Value], rule: Rule, want: Value) -> bool:
    """Does a flight with ``values`` meet ``rule`` when the customer wants ``want``?"""
    attribute, op, _ = rule
    have = values[attribute]
    if op == "==":
        return have == want
    assert isinstance(have, int) and isinstance(want, int)
    return have <= want


def _meeting(rng: _random.Random, rule: Rule, want: Value) -> Value:
    attribute, op, _ = rule
    if op == "==":
        return want
    assert isinstance(want, int)
    if attribute == "stops":
        return int(rng.random() * (want + 1))
    return max(MIN_FARE, want - 10 * int(rng.random() * 31))


def _failing(rng: _random.Random, rule: Rule, want: Value, avoid: set[str]) -> Value:
    attribute = rule[0]
    if attribute in ("from_city", "to_city"):
        return rng.choice([c for c in CITIES if c not in avoid and c != want])
    if attribute == "day":
        shift = (1 + int(rng.random() * 6)) * (1 if rng.random() < 0.5 else -1)
        return (date.fromisoformat(str(want)) + timedelta(days=shift)).isoformat()
    if attribute == "cabin_class":
        return rng.choice([c for c in CABINS if c != want])
    assert isinstance(want, int)
    if attribute == "stops":
        return want + 1 + int(rng.random() * (MAX_STOPS_LISTED - want))
    return want + 10 * (1 + int(rng.random() * 30))


def _stale(rng: _random.Random, rule: Rule, old: Value, new: Value) -> Value:
    """A value meeting ``rule`` for the old wish but not the new one (limits only tighten)."""
    attribute, op, _ = rule
    if op == "==":
        return old
    assert isinstance(old, int) and isinstance(new, int)
    step = 1 if attribute == "stops" else 10
    return new + step * (1 + int(rng.random() * ((old - new) // step)))


def build_catalogue(
    rng: _random.Random, world: World, leg: Leg, tag: str, size: int, used_ids: set[str]
) -> Catalogue:
    """``size`` flights for ``leg`` of which exactly one meets the customer's current profile."""
    want = {r: world.current(r[2]).value for r in leg.rules}
    ends = {str(want[r]) for r in leg.rules if r[0] in ("from_city", "to_city")}
    plans: list[dict[Rule, str]] = [dict.fromkeys(leg.rules, "meet")]
    for rule in leg.rules:
        plans.append({r: "fail" if r == rule else "meet" for r in leg.rules})
    changed = [r for r in leg.rules if world.change_of(r[2]) is not None]
    if changed:
        plans.append({r: "stale" if r in changed else "meet" for r in leg.rules})
    while len(plans) < size:
        failing = set(rng.sample(leg.rules, 2 + int(rng.random() * 3)))
        plans.append({r: "fail" if r in failing else "meet" for r in leg.rules})
    plans = plans[:size]
    order = list(range(len(plans)))
    rng.shuffle(order)
    items: list[Person] = []
    target = ""
    for i in order:
        plan = plans[i]
        values: dict[str, Value] = {}
        for rule in leg.rules:
            how = plan[rule]
            if how == "meet":
                values[rule[0]] = _meeting(rng, rule, want[rule])
            elif how == "fail":
                values[rule[0]] = _failing(rng, rule, want[rule], ends)
            else:
                change = world.change_of(rule[2])
                assert change is not None
                values[rule[0]] = _stale(rng, rule, change.old.value, want[rule])
        items.append(_flight(rng, tag, values, used_ids))
        if i == 0:
            target = items[-1].name
    return Catalogue(tag, leg, items, target)


def colleague_catalogue(
    rng: _random.Random, person: Person, tag: str, size: int, used_ids: set[str]
) -> Catalogue:
    """A near miss: a search the customer asks for on a colleague's behalf, listing flights for
    the colleague's own trip (no target; no question asks about it)."""
    wants = {f.attribute: f.value for f in person.facts}
    items = []
    for _ in range(size):
        values: dict[str, Value] = {
            "from_city": wants["home_city"],
            "to_city": wants["destination"],
            "day": wants["travel_date"],
            "cabin_class": rng.choice(CABINS),
            "stops": int(rng.random() * MAX_STOPS_LISTED),
            "fare_usd": MIN_FARE + 10 * int(rng.random() * 140),
        }
        items.append(_flight(rng, tag, values, used_ids))
    return Catalogue(tag, OUTBOUND, items, "")


def _flight(rng: _random.Random, tag: str, values: dict[str, Value], used: set[str]) -> Person:
    """One listed flight: a fresh id, an airline, a departure time and ``values``."""
    code, airline = rng.choice(AIRLINES)
    name = _flight_id(rng, code, used)
    departs = f"{5 + int(rng.random() * 17):02d}:{5 * int(rng.random() * 12):02d}"
    row: dict[str, Value] = {"catalogue": tag, "airline": airline, "departs": departs}
    row.update(values)
    return Person(name, [FactRec(name, a, row[a]) for a in ITEM_ATTRS])


def _flight_id(rng: _random.Random, code: str, used: set[str]) -> str:
    while True:
        name = f"{code}{100 + int(rng.random() * 900)}"
        if name not in used:
            used.add(name)
            return name


def fitting(catalogue: Catalogue, world: World) -> list[str]:
    """The flights of ``catalogue`` meeting every rule of its leg under the current profile."""
    want = {r: world.current(r[2]).value for r in catalogue.leg.rules}
    out = []
    for item in catalogue.items:
        values = {f.attribute: f.value for f in item.facts}
        if all(satisfies(values, r, want[r]) for r in catalogue.leg.rules):
            out.append(item.name)
    return out
