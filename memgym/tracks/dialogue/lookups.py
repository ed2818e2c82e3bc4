"""Other customers' profiles the agent updates on request: the crowd that hides the rank.

A memory that keeps the values stated for an attribute but not whose they are holds, at a
question, the asked attribute's values in stream order; any rule by position (from either end),
distinct order or frequency picks the gold as often as the gold sits at that rank. So the chat
also updates the separate profiles of people no question asks about (a friend, a neighbour).
For every askable attribute two numbers are drawn apart, each uniform: how many such values come
right after the opening, before anything a question asks about (``0..0.8 * spread``), and how
many later (``0..1.2 * spread``), anywhere and denser towards the end (``lookup_groups``). So the
gold's place among its attribute's values, counted from either end, is spread evenly over as many
places as the token budget affords (``spread``: the range fitted to the budget, so no random
trimming narrows it; 45 at standard and hard, about 39 at lite, wider in longer streams: 72 in
lite at 100k tokens, 90 at 1M), not piled up near one place.
Every lookup value is stated once, as the customer's are, so counts single out nothing. Values
are drawn as the customer's, companions' and colleagues' are, so no value tells whose it is.
"""

from __future__ import annotations

import random as _random
from datetime import date, timedelta

from memgym.claims import Claim, format_value, render_record
from memgym.tokens import count_tokens
from memgym.tracks.dialogue import phrases
from memgym.tracks.dialogue.vocab import CABINS, CITIES, FIRST_NAMES, LAST_NAMES
from memgym.tracks.dialogue.world import (
    ASKABLE,
    FIRST_DAY,
    TRIP_WINDOW,
    World,
    employer_name,
    some_day,
)
from memgym.types import Value

SPREAD = 45
"""The widest ``spread`` (below): ``0.8 * 45`` values before and ``1.2 * 45`` after per
attribute at most, about as many people as the lookups had before (~80: the perfect writer packs
records per entry by ``entities``, so more people would cost it writes at standard)."""
WIDEST = 90
"""The widest ``spread`` in a long stream (below: ``PLACE_TOKENS``)."""
PLACE_TOKENS = 125
"""Beyond ``SPREAD``, the range widens where each question asked (profile and selection) has
more than ``PLACE_TOKENS`` tokens of budget per place, up to ``WIDEST``: with ``SPREAD`` at 100k
and 1M tokens (budgets of ~90k and ~960k tokens, where the lookups took under 5 % of the chat)
the suite's learned entity-blind rule found the gold of 2.9 % of lite's valued questions over 200
seeds (1.9 % at 10k); widened, 1.3 % at 100k (72 places) and 1.1 % at 1M (``WIDEST``;
``bench/studies/blind_lengths.py``). Per question, because the write budgets scale with the questions:
the tiers' (16 to 22 writes) hold a crowd of ``SPREAD``, and every tier keeps it (hard's ~87k
tokens over 17 questions buy 41 places; widened to ``WIDEST`` there, its strategic writer fell
from 0.960 to 0.833 and the perfect one, packing into one entry per two questions, below 1.0)."""
EARLY = 0.8
"""The early count's bound is ``EARLY * spread``, the later one's ``(2 - EARLY) * spread``: the
gold's place from the start also counts the later values stated before it, so the early range
may be the narrower."""
VALUE_TOKENS = 9
"""Tokens one lookup value costs on average, its share of the name and the request included
(measured: 9.1 at lite and standard)."""
LOOKUP_ROOM = SPREAD * 10 * VALUE_TOKENS
"""The tokens the lookups use at most where the budget does not widen their range (``SPREAD``
values of each of the 10 askable attributes): the chores may take the rest of the room."""
GROUP = 10
"""A request updates ``1..GROUP`` profiles (one request each keeps the chat's overhead low)."""
END, SKEW = 0.99, 3.0
"""The later lookups land at ``END * (1 - u ** SKEW)`` for a uniform ``u``: anywhere in the
chat, denser towards its end (after every companion and change at times), so a fact stated
late also has many, or few, values after it."""


def _free_names(rng: _random.Random, world: World, count: int) -> list[str]:
    """``count`` distinct names made of first and last names no person of the world uses (nor
    any emergency contact stated), so none is confusable with anyone a question names."""
    taken = {world.user, *(p.name for p in world.companions + world.colleagues)}
    taken |= {str(f.value) for f in world.profile.values() if f.attribute == "emergency_contact"}
    taken |= {str(c.new.value) for c in world.changes if c.attribute == "emergency_contact"}
    taken |= set(world.contacts)
    taken |= {
        str(f.value)
        for p in world.colleagues
        for f in p.facts
        if f.attribute == "emergency_contact"
    }
    parts = {part for name in taken for part in name.split()}
    firsts = [n for n in FIRST_NAMES if n not in parts]
    lasts = [n for n in LAST_NAMES if n not in parts]
    return distinct_names(rng, firsts, lasts, count)


def distinct_names(
    rng: _random.Random, firsts: list[str], lasts: list[str], count: int
) -> list[str]:
    """``count`` distinct "first last" names (fewer when the lists run out), each drawn as
    ``rng.choice(firsts)`` then ``rng.choice(lasts)``: ``choice``'s ``getrandbits`` draws
    inlined (a third of a scenario's ``choice`` calls are here)."""
    count = min(count, len(firsts) * len(lasts))
    names: dict[str, None] = {}
    bits, nf, nl = rng.getrandbits, len(firsts), len(lasts)
    kf, kl = nf.bit_length(), nl.bit_length()
    while len(names) < count:
        i = bits(kf)
        while i >= nf:
            i = bits(kf)
        j = bits(kl)
        while j >= nl:
            j = bits(kl)
        names[f"{firsts[i]} {lasts[j]}"] = None
    return list(names)


def value_of(rng: _random.Random, attribute: str, facts: dict[str, Value], contact: str) -> Value:
    """A value of ``attribute`` drawn as the world draws the customer's and others' values."""
    if attribute == "home_city":
        return rng.choice(CITIES)
    if attribute == "destination":
        while True:  # uniform over the cities but the home city, as the world draws them
            city = rng.choice(CITIES)
            if city != facts.get("home_city"):
                return city
    if attribute == "travel_date":
        return some_day(rng, FIRST_DAY, TRIP_WINDOW).isoformat()
    if attribute == "return_date":
        leave = facts.get("travel_date") or some_day(rng, FIRST_DAY, TRIP_WINDOW).isoformat()
        return (
            date.fromisoformat(str(leave)) + timedelta(days=3 + int(rng.random() * 20))
        ).isoformat()
    if attribute == "max_price_usd":
        return 400 + 10 * int(rng.random() * 111)
    if attribute == "loyalty_number":
        return str(rng.randrange(100_000_000, 1_000_000_000))
    if attribute == "date_of_birth":
        return some_day(rng, date(1940, 1, 1), 82 * 365).isoformat()
    if attribute == "passport_expiry":
        return some_day(rng, date(2028, 1, 1), 8 * 365).isoformat()
    if attribute == "employer":
        return employer_name(rng)
    if attribute == "emergency_contact":
        return contact
    if attribute == "cabin":  # the chores' (``chores.TRIP_LIMITS``): no lookup states these
        return rng.choice(CABINS)
    if attribute == "max_stops":
        return int(rng.random() * 3)
    raise ValueError(f"no lookup value for {attribute!r}")


Profile = tuple[str, list[str], str]
"""Another customer before their values are drawn: name, attributes (in ``ASKABLE`` order) and
the emergency contact's name when they have one."""


def spread(budget: int, questions: int) -> int:
    """The count range per attribute (``spread``: early counts ``0..EARLY * spread``, later ones
    ``0..(2 - EARLY) * spread``) whose lookups fit ``budget`` tokens on average
    (``len(ASKABLE) * spread`` values), at most ``SPREAD``: a fixed range that the budget trimmed
    at random would narrow the counts again (lite's did: the 10th value from the start held the
    gold of 7 % of the questions); wider, to ``WIDEST``, where the budget per question of
    ``questions`` affords more (``PLACE_TOKENS`` a place)."""
    fitted = max(0, min(SPREAD, budget // (VALUE_TOKENS * len(ASKABLE))))
    return max(fitted, min(WIDEST, budget // (max(1, questions) * PLACE_TOKENS)))


def crowd(
    rng: _random.Random, world: World, most: int = SPREAD
) -> tuple[list[Profile], list[Profile]]:
    """The people whose profiles the chat updates, right after the opening and later: for each
    askable attribute, ``0..EARLY * most`` early people and ``0..(2 - EARLY) * most`` later ones
    have it (the two counts drawn apart, each equally likely, so the number of values before a
    fact says nothing of the number after it, and the gold's place from either end is spread
    evenly over some 40 places or more); each is updated once (a second update of a stored
    record would cost a budgeted memory a write) and has at least one attribute."""
    before, after = round(most * EARLY), round(most * (2 - EARLY))
    early = {a: int(rng.random() * (before + 1)) for a in ASKABLE}
    late = {a: int(rng.random() * (after + 1)) for a in ASKABLE}
    sizes = [max(early.values()), max(late.values())]
    contacts = early["emergency_contact"] + late["emergency_contact"]
    names = _free_names(rng, world, sum(sizes) + contacts)  # fewer when the pool runs out
    spares = names[sum(sizes) :]
    return (
        _owners(rng, names[: sizes[0]], early, spares),
        _owners(rng, names[sizes[0] : sum(sizes)], late, spares),
    )


def _owners(
    rng: _random.Random, names: list[str], counts: dict[str, int], contacts: list[str]
) -> list[Profile]:
    """``names`` given attributes so that ``counts[a]`` of them have ``a`` (fewer when the
    names run out); an emergency contact's name comes from ``contacts``."""
    owners: list[list[str]] = [[] for _ in names]
    for attribute in ASKABLE:  # in a fixed order, so the draws are the same on every machine
        for i in rng.sample(range(len(names)), min(counts[attribute], len(names))):
            owners[i].append(attribute)
    out = []
    for name, attributes in zip(names, owners):
        contact = ""
        if "emergency_contact" in attributes:
            if contacts:
                contact = contacts.pop()
            else:  # the name pool ran out (many people in the world): no contact to state
                attributes.remove("emergency_contact")
        if attributes:
            out.append((name, attributes, contact))
    return out


Record = tuple[str, list[tuple[str, str]]]
"""Another customer's record as stated: name and (attribute, value text) pairs."""


def _person(rng: _random.Random, profile: Profile) -> Record:
    """``profile`` with its values drawn (their texts as ``FactRec`` writes them)."""
    name, attributes, contact = profile
    values: dict[str, Value] = {}
    for attribute in attributes:
        values[attribute] = value_of(rng, attribute, values, contact)
    return name, [(a, v if type(v) is str else format_value(v)) for a, v in values.items()]


def lookup_groups(
    rng: _random.Random, early: list[Profile], late: list[Profile]
) -> list[tuple[float, list[Profile]]]:
    """The lookups: ``early`` people right after the opening (position 0), ``late`` ones at
    ``END * (1 - u ** SKEW)``, in groups of ``1..GROUP`` (one request each). The groups come in
    a random order, so a token budget that ends them trims early and late alike."""
    out: list[tuple[float, list[Profile]]] = []
    for people, late_ones in ((early, False), (late, True)):
        rest = list(people)
        while rest:
            size = 1 + int(rng.random() * GROUP)
            at = END * (1 - rng.random() ** SKEW) if late_ones else 0.0
            out.append((at, rest[:size]))
            rest = rest[size:]
    rng.shuffle(out)
    return out


def render_lookup(rng: _random.Random, group: list[Record]) -> str:
    """The customer asks to update friends' separate profiles; the agent shows the records."""
    request = rng.choice(phrases.LOOKUP_REQUESTS)
    reply = rng.choice(phrases.LOOKUP_REPLIES)
    records = [render_record(name, [(a, v, None) for a, v in items]) for name, items in group]
    return "\n".join([f"User: {request}", f"Agent: {reply}", *records])


Lookup = tuple[float, str, int, list[Claim]]
"""A lookup turn: its position, text, token count and the claims the reader finds in it."""


def booking(rng: _random.Random) -> list[tuple[str, str]]:
    """A booking's seat and checked bags (attributes no question asks about)."""
    seat = f"{1 + int(rng.random() * 40)}{SEAT_LETTERS[int(rng.random() * len(SEAT_LETTERS))]}"
    return [("seat", seat), ("checked_bags", str(int(rng.random() * 4)))]


SEAT_LETTERS = "ABCDEF"


def lookups(
    rng: _random.Random,
    world: World,
    budget: int,
    questions: int,
    booked: int = 0,
    room: int | None = None,
) -> list[Lookup]:
    """The lookup turns, positioned and rendered, at most ``budget`` tokens in all: their counts
    are fitted to the budget and the ``questions`` asked (``spread``), and the groups, in random
    order, from the first that would still overflow it on are left out (early and later ones
    alike; about a quarter of lite scenarios lose a few). The first ``booked`` people of the
    opening lookups also have a booking (``booking``: what the chores read back). The range is
    the one ``room`` tokens afford (the budget before others took their share: the chores) where
    its values fit ``budget``, else the one ``budget`` affords. The claims are the records' own
    (what ``reader.read`` finds in the text, without parsing it)."""
    out = []
    wide = spread(budget if room is None else room, questions)
    if wide * len(ASKABLE) * VALUE_TOKENS > budget:
        wide = spread(budget, questions)
    for at, profiles in lookup_groups(rng, *crowd(rng, world, wide)):
        group = [_person(rng, p) for p in profiles]
        if at == 0.0:
            for _, items in group[:booked]:
                items += booking(rng)
            booked = max(0, booked - len(group))
        text = render_lookup(rng, group)
        tokens = count_tokens(text)
        if tokens > budget:
            break
        budget -= tokens
        claims = [Claim(name, a, v) for name, items in group for a, v in items]
        out.append((at, text, tokens, claims))
    return out
