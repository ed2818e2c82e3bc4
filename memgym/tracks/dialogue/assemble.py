"""Laying the dialogue out as a Scenario: core events at their final steps, filler planned.

Core items carry a relative position in [0, 1]: the opening at 0, the customer's profile early
(before ``PROFILE_END``), companions anywhere before ``PARTY_END``, colleague chats anywhere
(``COLLEAGUES``) and later mentions of their facts (``ASIDES``; after each change, its
attribute: ``MENTION_END``), changes later (``CHANGES``; an attribute that changes twice in its
two halves), a search for a colleague's trip (a near miss) at ``SIDE_SEARCH``, and the
customer's flight searches with every question at 1 (the very end), so the agent must keep the
requirements it heard long before the catalogue arrives. With ``F`` filler exchanges, core item
``i`` (in position order) lands at step ``floor(r * F) + i``.
"""

from __future__ import annotations

import random as _random
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from memgym.claims import Claim
from memgym.query import Cell, Table, evaluate
from memgym.tokens import count_tokens
from memgym.tracks.bounded import BoundedGuard
from memgym.tracks.dialogue import chores, filler, lookups, reader, render
from memgym.tracks.dialogue.catalogue import Catalogue
from memgym.tracks.dialogue.questions import Draft
from memgym.tracks.dialogue.world import (
    CORRECTION,
    PROFILE,
    Change,
    FactRec,
    World,
    colleague_change,
)
from memgym.tracks.entities.fast import build_fact, builder, construct
from memgym.types import Axis, Event, EventKind, Fact, GoldQuestion, Scenario

_build_event = builder(Event)

PROFILE_END = 0.55
PARTY_END = 0.95
"""Companions join the party anywhere before this (a late one among the changes), so the last
pages before the questions are not all changes: those stay askable at every tier."""
CHANGES = (0.6, 0.92)
COLLEAGUES = (0.02, 0.93)
"""Colleague chats fall anywhere in the conversation, before and after the changes."""
MENTION_END = 0.95
"""After each change, colleague mentions of the changed attribute fall between it and this:
one colleague's value twice and another colleague's own change (a value stated once, as the
customer's change is), so the customer's changed value is never the last or second-last value
of its attribute, nor usually the last one stated only once."""
ASIDES = 4
"""Colleague mentions of one random fact each, per colleague, anywhere after their chat."""
SIDE_SEARCH = 0.94
"""Where the search for a colleague's trip lands: after every change, shortly before the end."""
OPENING = "cabin"
"""The fact the customer opens with (one no question asks about, so that which value of a shared
attribute the stream states first is left to chance)."""
AXIS_OF: dict[str, Axis] = {
    "retrieval": "breadth",
    "post_correction": "maintenance",
    "previous_value": "maintenance",
    "filter_count": "reasoning",
    "selection": "reasoning",
}


@dataclass(slots=True)
class Core:
    """One core event before it has a step: position, kind, text, facts or question draft."""

    r: float
    kind: EventKind
    text: str
    stated: list[FactRec] = field(default_factory=list)
    draft: Draft | None = None
    tokens: int = -1
    """``count_tokens(text)`` where the text's parts gave it; -1: count the text."""
    claims: list[Claim] | None = None
    """``reader.read(text)`` where the text's parts gave it; None: read the text."""


def dialogue(
    rng: _random.Random,
    world: World,
    side: Catalogue | None,
    room: int,
    questions: int,
    count: int,
    roster: int,
) -> list[Core]:
    """The profile, party, colleague, change, lookup and chore turns in position order,
    rendered; ``side`` (a search for the first colleague's trip) comes after the changes. The
    lookups (``lookups``) take at most what is left of ``room`` tokens after the other turns and
    the ``count`` chores' expected tokens (at most half of it), fitted to the ``questions``
    asked; the chores (``chores``, about the people the lookups name) take what is left. The
    party members with only a meal come ``1..roster`` to a roster turn."""
    random = rng.random
    rest = [a for a in PROFILE if a != OPENING]
    rng.shuffle(rest)
    groups: list[list[FactRec]] = []
    while rest:
        size = 1 + int(random() * 2)
        groups.append([world.profile[a] for a in rest[:size]])
        rest = rest[size:]
    plan: list[tuple[float, int, str, Any]] = [(0.0, 0, "open", [world.profile[OPENING]])]
    plan += [(random() * PROFILE_END, len(plan) + i, "profile", g) for i, g in enumerate(groups)]
    full = [p for p in world.companions if len(p.facts) > len(render.PARTY_FACTS)]
    plan += [(random() * PARTY_END, len(plan) + i, "party", p) for i, p in enumerate(full)]
    light = [p for p in world.companions if len(p.facts) == len(render.PARTY_FACTS)]
    while light:
        size = 1 + int(random() * roster)
        plan.append((random() * PARTY_END, len(plan), "roster", light[:size]))
        light = light[size:]
    low, high = COLLEAGUES
    chat_at = {p.name: low + random() * (high - low) for p in world.colleagues}
    plan += [
        (chat_at[p.name], len(plan) + i, "colleague", p) for i, p in enumerate(world.colleagues)
    ]
    if side is not None and world.colleagues:
        plan.append((SIDE_SEARCH, len(plan), "side", (side, world.colleagues[0])))
    plan += [
        (_change_at(random(), c, world), len(plan) + i, "change", c)
        for i, c in enumerate(world.changes)
    ]
    plan += _mentions(rng, world, chat_at, [item for item in plan if item[2] == "change"])
    said = [f for p in world.colleagues for f in p.facts]
    for _ in range(ASIDES * len(world.colleagues)):
        fact = rng.choice(said)
        plan.append((_after(rng, chat_at[fact.entity]), len(plan), "mention", fact))
    plan.sort(key=lambda item: (item[0], item[1]))
    out = []
    moved: dict[int, FactRec] = {}
    for r, _, what, payload in plan:  # each turn's claims from its facts, as ``render`` says
        if what in ("open", "profile"):
            text, stated = render.profile(rng, payload, opening=what == "open")
            out.append(Core(r, "document", text, stated, claims=render.confirmed(stated)))
        elif what == "party":
            text, stated = render.party(rng, payload, world.user)
            out.append(Core(r, "document", text, stated, claims=render.confirmed(stated)))
            for text, stated in render.details(rng, payload):  # right after, at the same place
                out.append(Core(r, "document", text, stated, claims=render.confirmed(stated)))
        elif what == "roster":
            text, stated = render.roster(rng, payload, world.user)
            out.append(Core(r, "document", text, stated, claims=render.confirmed(stated)))
        elif what == "colleague":
            text = render.colleague(rng, payload.facts)
            out.append(Core(r, "distractor", text, claims=render.confirmed(payload.facts)))
        elif what == "mention":
            fact = moved.get(id(payload), payload)
            if isinstance(fact, tuple):  # a colleague's change: later mentions say the new value
                moved[id(fact[0])] = fact[1]
                fact = fact[1]
            text = render.colleague_mention(rng, fact)
            out.append(Core(r, "distractor", text, claims=render.confirmed([fact])))
        elif what == "side":
            text = render.colleague_search(rng, *payload)
            tokens = render.colleague_search_tokens(text, payload[0])
            claims = render.listed(payload[0])
            out.append(Core(r, "distractor", text, tokens=tokens, claims=claims))
        elif payload.kind == CORRECTION:
            text, stated = render.correction(rng, payload)
            claims = [
                Claim(payload.new.entity, payload.attribute, payload.new.text, payload.old.text)
            ]
            out.append(Core(r, "correction", text, stated, claims=claims))
        else:
            text, stated = render.update(rng, payload)
            out.append(Core(r, "update", text, stated, claims=render.confirmed(stated)))
    used = sum(count_tokens(c.text) if c.tokens < 0 else c.tokens for c in out)
    left = room - used
    most = max(int(left * chores.MOST_SHARE), left - lookups.LOOKUP_ROOM)
    reserve = min(chores.CHORE_TOKENS * count, most)
    fitted = chores.kind_counts(min(count, reserve // chores.CHORE_TOKENS))
    booked = chores.SUBJECTS if fitted[chores.DOCUMENT] else 0  # bookings only if read back
    found = lookups.lookups(rng, world, left - reserve, questions, booked, left)
    used += sum(tokens for _, _, tokens, _ in found)
    for r, text, tokens, claims in found:
        out.append(Core(r, "distractor", text, tokens=tokens, claims=claims))
    mine = [c for c in out if c.kind != "distractor"]  # the customer's pages so far
    places = [c.r for c in mine]
    weights = Counter(f.attribute for c in mine for f in c.stated)
    profiles = [  # the customer's profile-shaped turns: not a correction, nor a party turn
        c.stated
        for c in mine
        if c.kind != "correction"
        and c.stated
        and not any(f.attribute in render.PARTY_FACTS for f in c.stated)
    ]
    pairs = chores.pair_share(profiles, chores.LEAST_PAIRS)
    chosen = chores.chores(rng, found, count, room - used, roster, places, weights, pairs)
    for r, kind, text, tokens, claims in chosen:
        out.append(Core(r, kind, text, tokens=tokens, claims=claims))
    out.sort(key=lambda core: core.r)  # stable: a lookup, then a chore, after a turn there
    return out


def opening_facts(cores: list[Core], tokens: int) -> set[int]:
    """Ids of the facts stated in the core events that start within the stream's first
    ``tokens`` tokens (filler only pushes events later): what one verbatim write of the
    stream's start (``max_write_tokens``) can hold, so no question rests on them alone."""
    out: set[int] = set()
    at = 0
    for core in cores:
        if at >= tokens:
            break
        out |= {id(f) for f in core.stated}
        at += count_tokens(core.text) if core.tokens < 0 else core.tokens
    return out


def guard_of(cores: list[Core]) -> BoundedGuard:
    """The bounded-memory guard over ``cores`` (no question among them), in stream order:
    filler left out, which only pushes them further back (``memgym.tracks.bounded``)."""
    return BoundedGuard(
        [c.kind for c in cores],
        [c.text for c in cores],
        [reader.read(c.text) if c.claims is None else c.claims for c in cores],
        [count_tokens(c.text) if c.tokens < 0 else c.tokens for c in cores],
    )


def _change_at(u: float, change: Change, world: World) -> float:
    """Where ``change`` lands for a uniform ``u``: anywhere in ``CHANGES``; an attribute that
    changes twice changes in its first half, then in its second, so the two pages lie far
    apart (a reservoir holds both about as often as the square of one)."""
    low, high = CHANGES
    if change.second:
        low = (low + high) / 2
    elif world.rechanged(change.attribute):
        high = (low + high) / 2
    return low + u * (high - low)


def _after(rng: _random.Random, r: float) -> float:
    """A position between ``r`` and ``MENTION_END``."""
    return r + rng.random() * (MENTION_END - r)


SIDE_LISTED = frozenset({"home_city", "destination", "travel_date"})
"""The first colleague's facts the side search lists (so they never change)."""


def _may_change(world: World, fact: FactRec) -> bool:
    return fact.entity != world.colleagues[0].name or fact.attribute not in SIDE_LISTED


def _mentions(
    rng: _random.Random,
    world: World,
    chat_at: dict[str, float],
    changes: list[tuple[float, int, str, Any]],
) -> list[tuple[float, int, str, Any]]:
    """After each change, mentions of colleagues' values of the changed attribute (each after
    that colleague's own chat): one value twice and another colleague's own change where one
    may change (never a fact of the first colleague's trip that the side search lists)."""
    out: list[tuple[float, int, str, Any]] = []
    order = 10_000  # after every other planned item at the same position
    for r, _, _, change in changes:
        facts = [f for p in world.colleagues for f in p.facts if f.attribute == change.attribute]
        if not facts:
            continue
        twice = rng.choice(facts)
        at = max(r, chat_at[twice.entity])
        out += [(_after(rng, at), order + len(out), "mention", twice) for _ in range(2)]
        others = [f for f in facts if f is not twice and _may_change(world, f)]
        if others:
            old = rng.choice(others)
            new = colleague_change(rng, world, old)
            at = max(r, chat_at[old.entity])
            out.append((_after(rng, at), order + len(out), "mention", (old, new)))
    return out


def ending(catalogues: list[Catalogue], selects: list[Draft], profile: list[Draft]) -> list[Core]:
    """Each search with its selection question, then the profile questions, all at the end."""
    out = []
    for booking, (catalogue, draft) in enumerate(zip(catalogues, selects)):
        text, stated = render.search(catalogue, booking)
        tokens = render.search_tokens(catalogue, booking)
        out.append(Core(1.0, "document", text, stated, tokens=tokens))
        out.append(Core(1.0, "question", draft.text, draft=draft))
    out += [Core(1.0, "question", d.text, draft=d) for d in profile]
    return out


def assemble(
    seed: int, params: dict[str, Any], brief: str, cores: list[Core], target: int
) -> Scenario:
    """The scenario: steps, fact ids, gold answers and the filler plan for ``target`` tokens."""
    core_tokens = sum(count_tokens(c.text) if c.tokens < 0 else c.tokens for c in cores)
    need = target - core_tokens
    if need < 0:
        raise ValueError(
            f"target_tokens ({target}) is too small: this dialogue's core events alone take "
            f"{core_tokens} tokens"
        )
    exchanges = filler.plan_count(seed, need)
    asked = 0
    facts: list[Fact] = []
    events: list[Event] = []
    table = Table()  # every fact stated so far: the gold answers are evaluated over it
    rows = table.rows
    add_fact = facts.append
    for i, core in enumerate(cores):
        step = int(core.r * exchanges) + i
        ids = []
        for rec in core.stated:
            fid = rec.id
            if not fid:
                rec.id = fid = f"f{len(facts)}"
                rec.step = step
                entity, attribute, text = rec.entity, rec.attribute, rec.text
                add_fact(
                    build_fact(
                        {
                            "id": fid,
                            "entity": entity,
                            "attribute": attribute,
                            "value": rec.value,
                            "step": step,
                        }
                    )
                )
                row = rows.get(entity)
                if row is None:  # Table.add for a claim without a previous value, inlined
                    row = rows[entity] = {}
                cell = row.get(attribute)
                if cell is None:
                    row[attribute] = Cell(text)
                elif cell.value != text:
                    row[attribute] = Cell(text, cell.value)
            ids.append(fid)
        question = None
        if core.draft is not None:
            question = _question(core.draft, asked, table)
            asked += 1
        events.append(
            _build_event(
                {
                    "step": step,
                    "kind": core.kind,
                    "text": core.text,
                    "facts": ids,
                    "question": question,
                }
            )
        )
    plan = {"exchanges": exchanges, "total_steps": exchanges + len(cores)}
    return construct(  # every value is valid by construction: no pydantic validation
        Scenario,
        {
            "track": "dialogue",
            "seed": seed,
            "params": params,
            "brief": brief,
            "facts": facts,
            "events": events,
            "filler": plan,
        },
    )


def _question(draft: Draft, number: int, table: Table) -> GoldQuestion:
    """The gold question, its answer evaluated over ``table``."""
    evidence = [f.id for f in draft.evidence]
    assert all(evidence), "evidence must be stated before its question"
    gold = evaluate(draft.spec, table)
    return construct(
        GoldQuestion,
        {
            "id": f"q{number}",
            "kind": draft.kind,
            "axis": AXIS_OF[draft.kind],
            "text": draft.text,
            "spec": draft.spec,
            "answer": int(gold) if draft.answer_type == "int" else gold,
            "answer_type": draft.answer_type,
            "tolerance": 0.0,
            "evidence": evidence,
        },
    )
