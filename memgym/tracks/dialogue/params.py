"""The dialogue track's parameters: tiers, defaults and validation naming the bad parameter."""

from __future__ import annotations

from typing import Any

from memgym.tracks.checks import check_int as _int
from memgym.tracks.checks import tier_params
from memgym.tracks.dialogue.world import PARTY

TIERS: dict[str, dict[str, Any]] = {
    "lite": {
        "target_tokens": 25_000,
        "questions": 8,
        "bookings": 2,
        "companions": 4,
        "colleagues": 2,
        "corrections": 2,
        "updates": 1,
        "rechanges": 2,
        "maintenance_pages": 2,
        "roster": 10,
        "catalogue_size": 32,
        "write_budget": 16,
    },
    "standard": {
        "target_tokens": 40_000,
        "questions": 10,
        "bookings": 2,
        "companions": 6,
        "colleagues": 3,
        "corrections": 2,
        "updates": 2,
        "rechanges": 0,
        "maintenance_pages": 1,
        "roster": 1,
        "catalogue_size": 32,
        "write_budget": 18,
    },
    "hard": {
        "target_tokens": 100_000,
        "questions": 14,
        "bookings": 3,
        "companions": 4,
        "colleagues": 5,
        "corrections": 3,
        "updates": 3,
        "rechanges": 0,
        "maintenance_pages": 1,
        "roster": 1,
        "catalogue_size": 32,
        "write_budget": 22,
    },
}
DEFAULT_TIER = "lite"
DEFAULTS: dict[str, Any] = {**TIERS[DEFAULT_TIER], "max_write_tokens": 500}
"""Every parameter a caller may set: the default tier's, and ``max_write_tokens``. The write
budgets leave room for every record written compactly, the other customers' profiles
(``lookups``) included: the scripted strategic writer keeps them all. ``bookings`` is the number
of flight searches at the end (outbound, return, then repeated outbound searches), each asked as
one selection question on top of the ``questions`` profile questions (an upper bound: fewer are
asked when the world offers fewer questions that no memoryless guess answers). ``rechanges``
of the changed attributes change a second time, later, by an update (``world.second_changes``);
with ``maintenance_pages`` 2 no maintenance question is asked that one event of the stream
answers alone (a value question after a change, a previous value a correction states): a
random sample of 4 pages must hold two. Lite's 25,000 tokens (about 850 events, 800 of them
pages) replaced 10,000 (about 100 pages), where a rule learned on where values sit in the
stream (``cheats.stream_attribute_learned``) passed 0.05 on some ten-seed sets (issue #42).
``roster`` caps how many meal-only party members one turn adds (``1..roster``, the friends'
parties among the chores alike): lite's 10 keeps the party cheap; standard's and hard's 1 give
each its own turn, so the party count rests on 16 pages, not a few rosters a learned selector
keeps (issue #66: ``learned1000`` on 24 fresh sets 0.032 -> 0.022 at standard, 0.025 -> 0.017
at hard, none above 0.05).
``entities`` is derived (the people and catalogue
items a memory may have to keep) and cannot be set."""

CHANGEABLE = 8
"""Profile attributes that may change (see ``world.CHANGEABLE``): corrections + updates cap."""
MIN_TOKENS, MAX_TOKENS = 10_000, 1_000_000
MAX_BOOKINGS = 3
MIN_CATALOGUE, MAX_CATALOGUE = 32, 64
"""A catalogue lists each of 16 combinations of wanted and decoy values twice (see
``catalogue.GRID_ROWS``), then rows for random combinations."""
MAX_PEOPLE = 12
MAX_QUESTIONS = 24


def resolve(tier: str | None, overrides: dict[str, Any]) -> dict[str, Any]:
    """The full, validated parameter dict for ``tier`` with ``overrides`` applied (``entities``
    derived)."""
    p = tier_params(tier, overrides, TIERS, DEFAULTS, DEFAULT_TIER)
    _int("target_tokens", p["target_tokens"], MIN_TOKENS, MAX_TOKENS)
    _int("questions", p["questions"], 1, MAX_QUESTIONS)
    _int("bookings", p["bookings"], 1, MAX_BOOKINGS)
    _int("companions", p["companions"], 1, MAX_PEOPLE)
    _int("colleagues", p["colleagues"], 0, MAX_PEOPLE)
    _int("corrections", p["corrections"], 0, CHANGEABLE)
    _int("updates", p["updates"], 0, CHANGEABLE)
    if p["corrections"] + p["updates"] > CHANGEABLE:
        raise ValueError(
            f"corrections + updates ({p['corrections'] + p['updates']}) exceeds the "
            f"{CHANGEABLE} profile attributes that can change"
        )
    _int("rechanges", p["rechanges"], 0, CHANGEABLE)  # at most the changed ones change again
    _int("maintenance_pages", p["maintenance_pages"], 1, 2)
    _int("roster", p["roster"], 1, PARTY)
    _int("catalogue_size", p["catalogue_size"], MIN_CATALOGUE, MAX_CATALOGUE)
    _int("write_budget", p["write_budget"], 1)
    _int("max_write_tokens", p["max_write_tokens"], 1)
    people = 1 + max(PARTY, p["companions"]) + p["colleagues"]
    p["entities"] = people + p["bookings"] * p["catalogue_size"]
    return {"tier": tier or DEFAULT_TIER, **p}
