"""Flight catalogues: the search results the agent must choose from, near misses included.

Each booking is a leg with matching rules ``(item attribute, op, customer attribute)``: four
equality rules (route, day, cabin) and two limits (stops, fare). Every customer attribute an
equality rule reads has one decoy value, the same in every catalogue (the old value when a
change touched it): a catalogue lists every one of the 16 combinations of wanted and decoy
values ``GRID_ROWS`` times (rows beyond go to combinations drawn at random), so the catalogue
alone does not tell which combination is the customer's: each value is as common as its decoy
and every row has one neighbour per rule. Every combination has the same structure: one of
its rows, drawn at random, meets both limits (in the customer's combination that row is the
target), its first other row fails the same limit (``first_fail``: the changed limit where one
changed, else alternating by booking) and any later one a limit drawn at random, so neither a
row's place nor its cell's meet/fail pattern tells the customer's cell from the others (a picker
reading rows alone found the target 34-71 % of the time when only the customer's cell had one
limit-meeting row and the neighbouring cells listed one first). A flight failing only rule r
exists for every equality rule (the meeting row of its neighbouring cell) and for
``first_fail``, and a flight fitting the profile as it was before its changes exists whenever a
change touches the leg (a changed limit's failing value meets the old limit).
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
GRID_ROWS = 2
"""Rows per combination of wanted and decoy values (the minimum catalogue is 16 times this)."""


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
    """A value meeting limit ``rule`` for the old wish but not the new one (limits tighten)."""
    assert isinstance(old, int) and isinstance(new, int)
    step = 1 if rule[0] == "stops" else 10
    return new + step * (1 + int(rng.random() * ((old - new) // step)))


def decoys(rng: _random.Random, world: World) -> dict[str, Value]:
    """customer attribute -> its decoy in every catalogue: the old value after a change, else
    another city (never the home or destination), day (a few days off) or cabin."""
    attributes = ("home_city", "destination", "travel_date", "return_date", "cabin")
    out: dict[str, Value] = {}
    for attribute in attributes:
        change = world.change_of(attribute)
        if change is not None:
            out[attribute] = change.old.value
    taken = {str(world.current(a).value) for a in ("home_city", "destination")}
    taken |= {str(v) for v in out.values()}
    for attribute in attributes:
        want = world.current(attribute).value
        if attribute in out:
            continue
        if attribute in ("home_city", "destination"):
            out[attribute] = rng.choice([c for c in CITIES if c not in taken])
            taken.add(str(out[attribute]))
        elif attribute == "cabin":
            out[attribute] = rng.choice([c for c in CABINS if c != want])
        else:
            out[attribute] = _failing(rng, ("day", "==", attribute), want, set())
    return out


def build_catalogue(
    rng: _random.Random,
    world: World,
    leg: Leg,
    tag: str,
    size: int,
    used_ids: set[str],
    decoy: dict[str, Value],
    booking: int = 0,
) -> Catalogue:
    """``size`` flights for ``leg`` of which exactly one meets the customer's current profile:
    the grid of wanted and decoy values described in the module docstring."""
    equal = [r for r in leg.rules if r[1] == "=="]
    limits = [r for r in leg.rules if r[1] != "=="]
    want = {r: world.current(r[2]).value for r in leg.rules}
    combos = [tuple((k >> i) & 1 for i in range(len(equal))) for k in range(2 ** len(equal))]
    rows = [c for c in combos for _ in range(GRID_ROWS)]
    rows += [rng.choice(combos) for _ in range(size - len(rows))]
    rng.shuffle(rows)
    changed = [r for r in limits if world.change_of(r[2]) is not None]
    first_fail = changed[0] if changed else limits[booking % len(limits)]
    items: list[Person] = []
    wanted = tuple(0 for _ in equal)  # the row of the customer's own values on every rule
    # which row of each combination meets every limit, from a source of its own so that every
    # other draw (and so the rest of the stream) does not depend on it
    pick = _random.Random(repr(rng.getstate()))
    meets_at = {combo: pick.randrange(rows.count(combo)) for combo in combos}
    seen = dict.fromkeys(combos, 0)
    target = ""
    for combo in rows:
        k = seen[combo]
        seen[combo] += 1
        values: dict[str, Value] = {
            r[0]: decoy[r[2]] if flip else want[r] for r, flip in zip(equal, combo)
        }
        fail: Rule | None = None
        if k != meets_at[combo]:  # the first other row fails ``first_fail``, later ones either
            fail = first_fail if k == (1 if meets_at[combo] == 0 else 0) else rng.choice(limits)
        for rule in limits:
            if rule != fail:
                values[rule[0]] = _meeting(rng, rule, want[rule])
            elif rule in changed:
                change = world.change_of(rule[2])
                assert change is not None
                values[rule[0]] = _stale(rng, rule, change.old.value, want[rule])
            else:
                values[rule[0]] = _failing(rng, rule, want[rule], set())
        items.append(_flight(rng, tag, values, used_ids))
        if combo == wanted and fail is None:
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
