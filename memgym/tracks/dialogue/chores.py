"""Chores for other customers: the pages that bury the customer's own in every event class.

A memory that keeps a fixed number of events of one class (the first or last K pages,
documents, corrections or updates, or a random sample of them) holds the customer's facts only
as often as they are among what it keeps. So the chat also does chores for the other customers
whose profiles it updates (``lookups``): the customer passes on what friends asked for, in the
words and frames of the customer's own pages (``render``), so that nothing but the names tells
the two apart. Chores read friends' booking records back, add a friend to another friend's
travel party (as the customer's party turns do; a person of the opening lookups who joins one
is followed, at the same place, by their details one to a turn, as a companion's are:
``_details``), state friends' changed values in the shape of
the customer's profile turns (documents and updates, one or two values a turn, two as often
as theirs, each attribute as often as the customer's pages state it) and fix a value given
wrongly (corrections, in the customer's correction words and frame), on the attributes the
questions ask about, and land near the customer's own pages (``_plan``). A learned
text-only selector (``bench/studies/learned_selector.py``) then finds the customer's pages no more often than their
share of the turns shaped alike. Their number grows with the token budget (``chore_count``), so
the customer's pages are a vanishing share of every class; ``HEAD`` of each kind open the chat
(after the greeting) and ``TAIL`` of each close it (after every change of the customer's), so
no memory of the first or last 16 events of a class holds one of the customer's. Chores name
only people the lookups already state, so no writer meets a new entity; they state no fact of
the scenario and no question asks about them.
"""

from __future__ import annotations

import random as _random
from collections.abc import Mapping, Sequence

from memgym.claims import Claim, format_value, render_record
from memgym.tokens import count_tokens
from memgym.tracks.dialogue import phrases, render
from memgym.tracks.dialogue.lookups import Lookup, value_of
from memgym.tracks.dialogue.vocab import MEALS
from memgym.tracks.dialogue.world import ASKABLE, COMPANION_ASKABLE, Change, FactRec, Person
from memgym.types import EventKind

DOCUMENT: EventKind = "document"
CORRECTION: EventKind = "correction"
UPDATE: EventKind = "update"
KINDS = (DOCUMENT, CORRECTION, UPDATE)
HEAD = 17
"""Chores of each kind right after the greeting: more than the 16 events a first-K memory of
any class keeps (the greeting is one page more)."""
TAIL = 16
"""Chores of each kind between ``TAIL_START`` and ``END``: after the customer's last change,
companion and colleague mention, so a memory of the last 16 events of a class holds none."""
TAIL_START, END = 0.955, 0.99
TOKENS_PER_CHORE = 30
"""One chore per this many tokens of the target, where the budget allows (lite's does not): a
random sample of 16 documents or pages holds under 5 % of the customer's at every length, and
standard's 1,000 chores (250 corrections) leave a sample of 16 corrections one of the customer's
about 6 % of the time (10 % with the 600 of one per 50 tokens: 0.034-0.040 composite over 30
salted seeds, 0.048 over ten of them)."""
MAX_CHORES = 2000
"""The most chores at any length (reached at 60k tokens; hard has 100k): 500 corrections and as
many updates, each 31 times the largest memory of the bounded-memory family, at a cost to
generation time that stays flat beyond. At 1000 a random sample of 16
change-looking turns of a hard chat (about 200 of them) held a party turn, which states three
of a companion's facts, often enough to earn 4.9 % of the Gym reward's maximum (seeds
200-211)."""
CHORE_TOKENS = 43
"""Tokens one chore costs on average (measured over seed 301: 43 at lite and standard, 42 at
hard; 19 when chores were the agent's lines alone)."""
MIN_CORRECTIONS, MIN_UPDATES = 50, 12
"""The fewest corrections and updates a chat holds where its budget allows: many more than the
customer's few, so that a random sample of 4 of them rarely holds one of the customer's (its
corrections carry most of the maintenance questions' answers: the more of them). At lite a
sample of 4 of its ~52 corrections holds one of the customer's 8.7 % of the time and scored
0.07 over 10 of 60 salted seeds; 62 (with ``MOST_SHARE`` 0.34) still scored 0.069 over one
salt's 10 and let a rule learned per template hold 4.6 % of lite's golds (ceiling 4 %)."""
CORRECTION_SHARE, UPDATE_SHARE = 0.25, 0.25
"""Of the chores, the shares that are corrections and updates beyond those least counts; the
rest are documents (the customer's documents outnumber their changes)."""
MOST_SHARE = 0.285
"""The least share of the room the other turns leave that the chores may take from the lookups
(more where the lookups cannot use it: ``LOOKUP_ROOM``). At lite the two pull apart: fewer chores
let small memories answer (union 0.069 at 27 %; a sample of 4 corrections 0.07 over 10 salted
seeds at 28.5 %), fewer lookups bunch the gold's place (one rank rule 5.1-5.5 % of the golds at
35-36 %, a rule learned per template 4.6 % at 34 %: ``tests/tracks/test_dialogue_blind_rank.py``)."""
CHANGED = ASKABLE
"""The attributes a chore changes: those the questions ask about (and ``TRIP_LIMITS``)."""
TRIP_LIMITS = ("cabin", "max_stops")
"""What the customer's pages state that no lookup does: the chores state them for friends too
(a stop limit was the surest sign of a customer's page to a learned text-only selector), first
in a document, so a correction or update changes only a value the chat stated."""
BOOKING = ("seat", "checked_bags")
"""What a booking record states (``lookups.booking``): nothing any question asks about."""
PARTY_SHARE, BOOKING_SHARE = 0.25, 0.25
"""Of the document chores, the share that adds a friend to another friend's travel party (in
the shape of the customer's party turns) and the share that reads a booking back; the rest
state friends' values in the shape of the customer's profile turns (one or two, as updates
do). So the customer's party pages are a small share of every party-shaped turn (no text-only
selector holds them all, which the meal count needs) and the customer's profile pages a small
share of every profile-shaped one: with a quarter of the chores in that shape (the updates), a
learned text-only selector keeping 500 tokens scored 0.055 on standard."""
ROSTER_SHARE = 0.3
"""Of those, the share listed as a roster (the customer's party: 4-6 party turns, 2-3 rosters)."""
JITTER = 0.05
"""How far from a page of the customer's a chore lands (``_plan``)."""
LEAST_PAIRS = 0.2
"""The least share of the chores' profile-shaped turns that state two values (``pair_share``):
the customer's two-value turns (about one in seven of their profile turns, split over five
openers) stay among at least three times as many turns shaped alike
(``tests/tracks/test_dialogue_surface.py``; at the customer's share alone, 3 of 20 lite and
standard scenarios, seeds 0-9, held one of the customer's with fewer). The cost: single-value
turns are the customer's a little more often than the rest (lite's learned500 0.057 on seeds
0-9 against 0.036 at the customer's share alone)."""
SUBJECTS = 12
"""The other customers the chores are about: the first people of the opening lookups, given a
booking there. Few, so that a memory that keeps every record meets few new values (a changed
value adds its previous one once per attribute)."""

Chore = tuple[float, EventKind, str, int, list[Claim]]
"""A chore turn: its position, kind, text, token count and the claims the reader finds in it."""


def chore_count(target_tokens: int) -> int:
    """How many chores a chat of ``target_tokens`` holds (fewer where the budget is short)."""
    return min(MAX_CHORES, target_tokens // TOKENS_PER_CHORE)


def kind_counts(count: int) -> dict[EventKind, int]:
    """How many of ``count`` chores are of each kind: ``CORRECTION_SHARE`` corrections (at
    least ``MIN_CORRECTIONS``), ``UPDATE_SHARE`` updates (at least ``MIN_UPDATES``), the rest
    documents (none where ``count`` is short: the changes come first)."""
    corrections = min(count, max(MIN_CORRECTIONS, round(count * CORRECTION_SHARE)))
    updates = min(count - corrections, max(MIN_UPDATES, round(count * UPDATE_SHARE)))
    return {DOCUMENT: count - corrections - updates, CORRECTION: corrections, UPDATE: updates}


def _plan(
    rng: _random.Random, count: int, places: Sequence[float] = ()
) -> list[tuple[float, EventKind]]:
    """(position, kind) of ``count`` chores in position order: of each kind a third (at most
    ``HEAD``) at the head (position 0), as many (at most ``TAIL``) near the end, the rest
    anywhere: near one of ``places`` (the customer's pages: within ``JITTER`` of one drawn at
    random, so the chores fall where the customer's pages do), else uniformly."""
    head: list[tuple[float, EventKind]] = []
    plan: list[tuple[float, EventKind]] = []
    random = rng.random

    def anywhere() -> float:
        if not places:
            return random() * END
        at = places[int(random() * len(places))] + (2 * random() - 1) * JITTER
        return min(END, max(0.0, at))

    for kind, n in kind_counts(count).items():
        first = min(HEAD, n // 3)
        last = min(TAIL, first, n - first)
        head += [(0.0, kind)] * first
        plan += [(TAIL_START + random() * (END - TAIL_START), kind) for _ in range(last)]
        plan += [(anywhere(), kind) for _ in range(n - first - last)]
    rng.shuffle(head)
    plan.sort(key=lambda item: item[0])
    return head + plan


def _people(lookups: Sequence[Lookup]) -> tuple[list[str], dict[tuple[str, str], str]]:
    """The people the chores are about: those whose bookings the opening lookups state (else
    the first ``SUBJECTS`` people of the opening lookups), and each one's stated values by
    attribute. A chore names no one the chat has not named yet, and changes only what it
    stated (so a record kept of them gains no attribute)."""
    early = [claims for at, _, _, claims in lookups if at == 0.0]
    booked = {c.entity for claims in early for c in claims if c.attribute == BOOKING[0]}
    if not booked:
        booked = set(list(dict.fromkeys(c.entity for cs in early for c in cs))[:SUBJECTS])
    values = {
        (c.entity, c.attribute): c.value for claims in early for c in claims if c.entity in booked
    }
    return list(dict.fromkeys(entity for entity, _ in values)), values


def chores(
    rng: _random.Random,
    lookups: Sequence[Lookup],
    count: int,
    budget: int,
    roster: int,
    places: Sequence[float] = (),
    weights: Mapping[str, int] | None = None,
    pairs: float = 0.5,
) -> list[Chore]:
    """At most ``count`` chores about the people ``lookups`` state, positioned (``_plan``, near
    ``places``) and rendered, at most ``budget`` tokens in all: as many as ``CHORE_TOKENS`` each
    fit (those that would still overflow it, in position order, left out); a friend's roster
    lists ``1..roster`` friends, as the customer's lists the party. A change picks its
    attribute in proportion to ``weights`` (how often the customer's pages state each one;
    uniformly over what was stated without), so no attribute's words mark the customer's; a
    profile-shaped one states two values with chance ``pairs`` (the share of the customer's
    profile turns that state two: ``pair_share``), so one value to a turn does not either."""
    people, current = _people(lookups)
    guests, theirs = _guests(lookups, people)
    count = min(count, budget // CHORE_TOKENS)
    stated = [key for key in current if key[1] in CHANGED]
    if not stated:
        return []
    fresh: set[tuple[str, str]] = set()  # not stated yet: a document states it first
    for name in people:  # the limits only the customer's pages stated: theirs too, from now on
        for attribute in TRIP_LIMITS:
            current[(name, attribute)] = str(value_of(rng, attribute, {}, ""))
            stated.append((name, attribute))
            fresh.add((name, attribute))
    booked = (people[0], BOOKING[0]) in current
    bookings: dict[tuple[str, int], tuple[str, int, list[Claim]]] = {}
    contacts = [p for p in people if (p, "emergency_contact") not in current]
    out: list[Chore] = []
    by_attribute: dict[str, list[tuple[str, str]]] = {}
    for key in stated:
        by_attribute.setdefault(key[1], []).append(key)
    drawn = [a for a in by_attribute for _ in range(weights.get(a, 0) if weights else 1)]
    drawn = drawn or list(by_attribute)
    owed = details = shaped = 0  # slots owed; guests' detail turns; profile-shaped chores
    for at, kind in _plan(rng, count, places):
        if kind == DOCUMENT and not booked:
            kind = UPDATE  # no booking to read back: a change instead
        shape = rng.random() if kind == DOCUMENT else 1.0
        if kind == DOCUMENT and owed:  # a slot the details of a party chore took
            owed -= 1
            continue
        if shape < PARTY_SHARE and len(people) > 1:
            # a friend joins a friend's party
            text, claims, guest = _party(rng, people, guests, roster)
            if guest:  # a guest of the opening lookups: their details right after, as a companion's
                turns = [(text, claims), *_details(rng, guest, theirs, contacts)]
                for text, claims in turns:
                    tokens = count_tokens(text)
                    if tokens > budget:
                        return out
                    budget -= tokens
                    out.append((at, kind, text, tokens, claims))
                owed += len(turns) - 1  # the next document slots: the chat's length stays
                details += len(turns) - 1
                continue
        elif shape < PARTY_SHARE + BOOKING_SHARE:  # a booking never changes: rendered once
            booking = (people[int(rng.random() * len(people))], int(rng.random() * 2))
            done = bookings.get(booking)
            if done is None:
                text, claims = _booking(booking[0], booking[1], current)
                done = bookings[booking] = (text, count_tokens(text), claims)
            text, tokens, claims = done
            if tokens > budget:
                break
            budget -= tokens
            out.append((at, kind, text, tokens, list(claims)))
            continue
        else:  # values the chat stated change (a document: in a profile turn's shape)
            keyed = by_attribute[drawn[int(rng.random() * len(drawn))]]
            name, attribute = keyed[int(rng.random() * len(keyed))]
            if kind != DOCUMENT and (name, attribute) in fresh:  # a document states it first
                known = [k for k in keyed if k not in fresh] or [
                    k for k in stated if k not in fresh
                ]
                name, attribute = known[int(rng.random() * len(known))]
            keys = [(name, attribute)]
            shaped += kind != CORRECTION
            # one or two, as the customer's: the guests' one-value details counted in
            if kind != CORRECTION and rng.random() < min(1.0, pairs * (1 + details / shaped)):
                mine = [k for k in stated if k[0] == name and k[1] != attribute]
                mine = [k for k in mine if kind == DOCUMENT or k not in fresh]
                if mine:
                    keys.append(mine[int(rng.random() * len(mine))])
            changes = []
            for key in keys:
                old = current[key]
                new = _new_value(rng, key[1], old, contacts, name)
                if new != old:  # else no other value to give (every contact name taken)
                    current[key] = new
                    changes.append((key[1], new, old))
            if not changes:
                continue
            fresh.difference_update((name, a) for a, _, _ in changes)
            if kind == CORRECTION:
                text, claims = _correction(rng, name, *changes[0])
            else:  # a document or an update: in a profile turn's shape
                text, claims = _update(rng, name, [(a, new) for a, new, _ in changes])
        tokens = count_tokens(text)
        if tokens > budget:
            break
        budget -= tokens
        out.append((at, kind, text, tokens, claims))
    return out


def pair_share(stated: Sequence[Sequence[FactRec]], least: float = 0.0) -> float:
    """The share of profile turns (the facts each states) that state two values or more, at
    least ``least``: of the customer's, a companion's details come one to a turn (0.5
    without any)."""
    if not stated:
        return 0.5
    return max(least, sum(len(facts) > 1 for facts in stated) / len(stated))


def _new_value(
    rng: _random.Random, attribute: str, old: str | None, contacts: list[str], name: str
) -> str:
    """A value of ``attribute`` for ``name`` other than ``old``, drawn as the lookups draw
    (``old`` itself where 20 draws found no other)."""
    for _ in range(20):
        contact = contacts[int(rng.random() * len(contacts))] if contacts else ""
        if attribute == "emergency_contact" and (not contact or contact == name):
            continue
        value = value_of(rng, attribute, {}, contact)
        text = value if type(value) is str else format_value(value)
        if text != old:
            return text
    return old or ""


def _booking(name: str, reply: int, current: dict[tuple[str, str], str]) -> tuple[str, list[Claim]]:
    """The agent reads a friend's booking record back as stated (after reply ``reply``)."""
    items = [(a, current[(name, a)]) for a in BOOKING]
    record = render_record(name, [(a, v, None) for a, v in items])
    text = f"Agent: {phrases.BOOKING_REPLIES[reply]}\n{record}"
    return text, [Claim(name, a, v) for a, v in items]


def _guests(
    lookups: Sequence[Lookup], people: list[str]
) -> tuple[list[str], dict[tuple[str, str], str]]:
    """The people of the opening lookups other than ``people`` (the chores' subjects), in
    order, and their stated values: each joins a friend's party once (``_party``), with their
    details (``_details``). A companion's name is on a party turn and the few detail turns
    right after it; a learned text-only selector that weighed one companion's name highly (it
    keeps names' words, learned on other seeds) kept them all, and the customer's party turns
    had no look-alikes of that shape: lite's ``learned500`` 0.057 on seeds 0-9 (0.024-0.036 on
    four other blocks). With the details of friends' guests from the subjects only, 0.035
    (0.010-0.049 on seven other blocks); from these fresh people, 0.031 (seeds 300-309:
    0.007; the validate runs: docs/validate.md). Their details state one value a turn, so the
    other profile-shaped chores state two a little more often (``chores``' ``pairs``). The cost: the strategic writer keeps their
    values too (accuracy 0.82 -> 0.64 on lite seeds 0-4, 0.833 -> 0.75 on standard 0-1)."""
    early = [claims for at, _, _, claims in lookups if at == 0.0]
    taken = set(people)
    values = {(c.entity, c.attribute): c.value for cs in early for c in cs if c.entity not in taken}
    return list(dict.fromkeys(entity for entity, _ in values)), values


def _details(
    rng: _random.Random,
    name: str,
    values: dict[tuple[str, str], str],
    contacts: list[str],
) -> list[tuple[str, list[Claim]]]:
    """A guest's details after their party turn, one to a profile-shaped turn, as a
    companion's (``render.details``): a new value of each attribute a question asks of a
    companion (``values``: what the chat stated of them, updated)."""
    out = []
    for attribute in COMPANION_ASKABLE:
        key = (name, attribute)
        values[key] = _new_value(rng, attribute, values.get(key), contacts, name)
        out.append(_update(rng, name, [(attribute, values[key])]))
    return out


def _party(
    rng: _random.Random, people: list[str], guests: list[str], roster: int
) -> tuple[str, list[Claim], str]:
    """A friend added to another friend's travel party (the customer's party turns' shape: a
    party turn, or a roster of ``1..roster`` of them), with a meal, and the guest's name where
    the guest is the next of ``guests`` (taken from it; "" for a roster or when none is
    left)."""
    host = people[int(rng.random() * len(people))]
    others = [p for p in people if p != host]
    if rng.random() < ROSTER_SHARE:
        size = min(len(others), 1 + int(rng.random() * roster))
        members = [
            Person(name, [FactRec(name, "travels_with", host), FactRec(name, "meal", _meal(rng))])
            for name in rng.sample(others, size)
        ]
        text, facts = render.roster(rng, members, host)
        return text, render.confirmed(facts), ""
    else:
        name = others[int(rng.random() * len(others))]
        fresh = guests.pop(0) if guests else ""
        name = fresh or name
        guest = Person(
            name, [FactRec(name, "travels_with", host), FactRec(name, "meal", _meal(rng))]
        )
        text, facts = render.party(rng, guest, host)
    return text, render.confirmed(facts), fresh


def _meal(rng: _random.Random) -> str:
    return MEALS[int(rng.random() * len(MEALS))]


def _correction(
    rng: _random.Random, name: str, attribute: str, new: str, old: str
) -> tuple[str, list[Claim]]:
    """A friend's value was given wrongly: the customer corrects it in the words and the agent
    in the frame of the customer's own corrections."""
    change = Change(
        CORRECTION, attribute, FactRec(name, attribute, old), FactRec(name, attribute, new)
    )
    text, _ = render.correction(rng, change)
    return text, [Claim(name, attribute, new, old)]


def _update(
    rng: _random.Random, name: str, values: list[tuple[str, str]]
) -> tuple[str, list[Claim]]:
    """A friend's values changed (one or two): the customer states them and the agent notes
    them as in the customer's own profile turns."""
    text, facts = render.profile(rng, [FactRec(name, a, v) for a, v in values], opening=False)
    return text, render.confirmed(facts)
