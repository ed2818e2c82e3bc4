"""The dialogue track: a long customer-support chat about booking flights, then decisions.

The customer states a profile and trip requirements early, adds a travel party, chats about
colleagues' trips (near misses) and off topic (filler), and later corrects or silently changes
some requirements. At the end the agent searches flights (tool results listing a catalogue)
and must pick the one flight meeting the *current* requirements, then answer profile questions.
"""

from __future__ import annotations

import random as _random
from bisect import bisect_left
from collections.abc import Iterator, Mapping
from typing import Any

from memgym.claims import Claim
from memgym.tracks.base import Prior, Track, fill_gaps
from memgym.tracks.bounded import SMALL_SHARE
from memgym.tracks.dialogue import filler, reader
from memgym.tracks.dialogue import params as parameters
from memgym.tracks.dialogue.assemble import (
    assemble,
    dialogue,
    ending,
    guard_of,
    opening_facts,
)
from memgym.tracks.dialogue.catalogue import (
    LEGS,
    build_catalogue,
    colleague_catalogue,
    decoys,
)
from memgym.tracks.dialogue.chores import chore_count
from memgym.tracks.dialogue.questions import (
    QUESTION_GAP,
    blind_answers,
    profile_questions,
    select_question,
    typical_values,
)
from memgym.tracks.dialogue.render import search_tokens
from memgym.tracks.dialogue.vocab import CABINS, CITIES
from memgym.tracks.dialogue.world import ASKABLE, build_world
from memgym.tracks.registry import register_track
from memgym.types import Event, Scenario

BRIEF = (
    "You are the support agent of a travel agency in one long chat with a customer. Keep track "
    "of the customer's profile, travel party and trip requirements (they may be corrected or "
    "change later); the chat also drifts off topic and mentions other people's trips. At the "
    "end you will search flights and must book the one that meets the customer's current "
    "requirements, and answer questions about the customer. Answer 'unknown' if you cannot tell."
)
FILLER_SHARE = 0.01
"""The least share of ``target_tokens`` left to filler: the lookups (``lookups``) shrink to fit."""
QUESTION_TOKENS, SELECT_TOKENS = 20, 40
"""Tokens kept per profile question and per selection question when the lookups are fitted
(the longest measured over 100 seeds of each tier: 18 and 36)."""
SIDE_SHARE = 4
"""The search for a colleague's trip lists ``catalogue_size // SIDE_SHARE`` flights: a near miss
that leaves lite's budget to the lookups and chores."""
PRIORS: dict[str, Prior] = {
    "home_city": Prior("enum", choices=CITIES),
    "destination": Prior("enum", choices=CITIES),
    "cabin": Prior("enum", choices=CABINS),
    "max_price_usd": Prior("int", low=400, high=1500),
}


@register_track("dialogue")
class DialogueTrack(Track, parameters=parameters):
    """Seeded customer-support dialogues; see ``memgym.tracks.dialogue`` for the parts."""

    def generate(self, seed: int, tier: str | None = None, **overrides: Any) -> Scenario:
        """The scenario for ``seed``: one ``random.Random(seed)`` drives every core choice and
        filler exchange ``k`` is drawn from (seed, k). Any integer seed works, so a gate helper
        regenerates a rejected scenario simply from another seed."""
        p = self.params(tier, **overrides)
        rng = _random.Random(seed)
        world = build_world(
            rng, p["companions"], p["colleagues"], p["corrections"], p["updates"], p["rechanges"]
        )
        used: set[str] = set()
        tags = rng.sample(range(1000, 10000), p["bookings"] + 1)
        decoy = decoys(rng, world)
        catalogues = [
            build_catalogue(rng, world, LEGS[b], f"S{tags[b]}", p["catalogue_size"], used, decoy, b)
            for b in range(p["bookings"])
        ]
        side = None
        if world.colleagues:
            size = p["catalogue_size"] // SIDE_SHARE
            side = colleague_catalogue(rng, world.colleagues[0], f"S{tags[-1]}", size, used)
        reserve = sum(search_tokens(c, b) for b, c in enumerate(catalogues))
        reserve += QUESTION_TOKENS * p["questions"] + SELECT_TOKENS * p["bookings"]
        room = int(p["target_tokens"] * (1 - FILLER_SHARE)) - reserve
        count = chore_count(p["target_tokens"])
        cores = dialogue(rng, world, side, room, p["questions"] + p["bookings"], count, p["roster"])
        said = [c for core in cores for c in core.claims or reader.read(core.text)]
        typical = typical_values(said)
        selects = [select_question(world, c) for c in catalogues]
        pages = [c for c in cores if c.kind != "distractor"]
        gap = max(0, QUESTION_GAP - len(catalogues))  # the searches are pages too
        recent = {id(f) for c in pages[len(pages) - gap :] for f in c.stated}
        recent |= {id(ch.old) for ch in world.changes if id(ch.new) in recent}  # text says both
        recent |= opening_facts(cores, p["max_write_tokens"])
        blind = blind_answers([c for c in said if c.attribute in ASKABLE])  # what is asked
        searches = [c for c in ending(catalogues, selects, []) if c.kind != "question"]
        guard = guard_of(cores + searches)
        at = len(cores) + len(searches)  # the profile questions come after every search
        small = int(SMALL_SHARE * p["target_tokens"])  # a memory holding more is not judged

        def bounded(spec: dict[str, Any], gold: str) -> bool:
            return guard.answered_by(spec, gold, at, most=small) is not None

        page_of = {
            id(f): i for i, c in enumerate(cores) if c.kind != "distractor" for f in c.stated
        }
        asked = profile_questions(
            rng,
            world,
            p["questions"],
            typical,
            PRIORS,
            p["entities"],
            recent,
            blind,
            bounded,
            page_of,
            guard.answered_alone if p["maintenance_pages"] > 1 else None,
        )
        cores += ending(catalogues, selects, asked)
        return assemble(seed, p, BRIEF, cores, p["target_tokens"])

    def read(self, text: str) -> list[Claim]:
        """Every claim in ``text`` (agent confirmations, corrections, party, note lines)."""
        return reader.read(text)

    def stream(self, scenario: Scenario) -> Iterator[Event]:
        """Core events with filler exchanges generated on demand in the gaps."""
        core_steps = [e.step for e in scenario.events]
        seed = scenario.seed

        def make(step: int) -> Event:
            k = step - bisect_left(core_steps, step)
            return Event(step=step, kind="distractor", text=filler.exchange(seed, k))

        return fill_gaps(scenario.events, scenario.filler["total_steps"], make)

    def priors(self, params: Mapping[str, Any]) -> dict[str, Prior]:
        """attribute -> prior the customer's values are drawn from (where one is simple)."""
        return dict(PRIORS)
