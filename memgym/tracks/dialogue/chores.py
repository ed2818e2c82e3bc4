"""Chores for other customers: the pages that bury the customer's own in every event class.

A memory that keeps a fixed number of events of one class (the first or last K pages,
documents, corrections or updates, or a random sample of them) holds the customer's facts only
as often as they are among what it keeps. So the chat also does chores for the other customers
whose profiles it updates (``lookups``), in turns of the agent's alone (working through what
the customer passed on for friends): it reads their booking records back (documents), fixes a
value they gave wrongly (corrections, in the customer's own correction frame) and notes a value
of theirs that changed (updates, in the customer's own confirmation frames), on the same
attributes the questions ask about. Their number grows with the token budget
(``chore_count``), so the customer's pages are a vanishing share of every class; ``HEAD`` of
each kind open the chat (after the greeting) and ``TAIL`` of each close it (after every change
of the customer's), so no memory of the first or last 16 events of a class holds one of the
customer's. The rest land anywhere. Chores name only people the lookups already state, so no
writer meets a new entity; they state no fact of the scenario and no question asks about them.
"""

from __future__ import annotations

import random as _random
from collections.abc import Sequence

from memgym.claims import Claim, format_value, render_record
from memgym.tokens import count_tokens
from memgym.tracks.dialogue import phrases
from memgym.tracks.dialogue.lookups import Lookup, value_of
from memgym.tracks.dialogue.world import ASKABLE
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
CHORE_TOKENS = 19
"""Tokens one chore costs on average (measured: 18 over the 400 chores of a standard chat, 19 at lite)."""
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
"""The attributes a chore changes: those the questions ask about."""
BOOKING = ("seat", "checked_bags")
"""What a booking record states (``lookups.booking``): nothing any question asks about."""
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


def _plan(rng: _random.Random, count: int) -> list[tuple[float, EventKind]]:
    """(position, kind) of ``count`` chores in position order: of each kind a third (at most
    ``HEAD``) at the head (position 0), as many (at most ``TAIL``) near the end, the rest
    anywhere."""
    head: list[tuple[float, EventKind]] = []
    plan: list[tuple[float, EventKind]] = []
    random = rng.random
    for kind, n in kind_counts(count).items():
        first = min(HEAD, n // 3)
        last = min(TAIL, first, n - first)
        head += [(0.0, kind)] * first
        plan += [(TAIL_START + random() * (END - TAIL_START), kind) for _ in range(last)]
        plan += [(random() * END, kind) for _ in range(n - first - last)]
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


def chores(rng: _random.Random, lookups: Sequence[Lookup], count: int, budget: int) -> list[Chore]:
    """At most ``count`` chores about the people ``lookups`` state, positioned and rendered, at
    most ``budget`` tokens in all: as many as ``CHORE_TOKENS`` each fit (those that would still
    overflow it, in position order, left out)."""
    people, current = _people(lookups)
    count = min(count, budget // CHORE_TOKENS)
    stated = [key for key in current if key[1] in CHANGED]
    if not stated:
        return []
    booked = (people[0], BOOKING[0]) in current
    bookings: dict[tuple[str, int], tuple[str, int, list[Claim]]] = {}
    contacts = [p for p in people if (p, "emergency_contact") not in current]
    out: list[Chore] = []
    for at, kind in _plan(rng, count):
        if kind == DOCUMENT and not booked:
            kind = UPDATE  # no booking to read back: a change instead
        if kind == DOCUMENT:  # a booking never changes: its text is rendered once
            key = (people[int(rng.random() * len(people))], int(rng.random() * 2))
            done = bookings.get(key)
            if done is None:
                text, claims = _booking(key[0], key[1], current)
                done = bookings[key] = (text, count_tokens(text), claims)
            text, tokens, claims = done
            if tokens > budget:
                break
            budget -= tokens
            out.append((at, kind, text, tokens, list(claims)))
            continue
        else:  # a value the chat stated changes: the record gains no attribute
            name, attribute = stated[int(rng.random() * len(stated))]
            old = current[(name, attribute)]
            new = _new_value(rng, attribute, old, contacts, name)
            if new == old:
                continue  # no other value to give (a contact where every name is taken)
            current[(name, attribute)] = new
            if kind == CORRECTION:
                text, claims = _correction(rng, name, attribute, new, old)
            else:
                text, claims = _update(rng, name, attribute, new)
        tokens = count_tokens(text)
        if tokens > budget:
            break
        budget -= tokens
        out.append((at, kind, text, tokens, claims))
    return out


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


def _fill(frame: str, name: str, attribute: str, value: str, old: str = "") -> str:
    label = phrases.LABELS[attribute]
    out = frame.replace("{E}", name).replace("{L}", label).replace("{V}", value)
    return out.replace("{P}", old)


def _correction(
    rng: _random.Random, name: str, attribute: str, new: str, old: str
) -> tuple[str, list[Claim]]:
    """A friend's value was given wrongly; the agent corrects it in the customer's frame."""
    agent = _fill(rng.choice(phrases.CORRECTION_FRAMES), name, attribute, new, old)
    return f"Agent: {agent}", [Claim(name, attribute, new, old)]


def _update(rng: _random.Random, name: str, attribute: str, new: str) -> tuple[str, list[Claim]]:
    """A friend's value changed; the agent notes it in the customer's confirmation frame."""
    agent = _fill(rng.choice(phrases.CONFIRM_FRAMES), name, attribute, new)
    return f"Agent: {agent}", [Claim(name, attribute, new)]
