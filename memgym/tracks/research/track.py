"""The research track: multi-hop research over a fictional knowledge graph."""

from __future__ import annotations

import random as _random
from collections.abc import Iterator, Mapping
from typing import Any

from memgym.claims import Claim
from memgym.tracks.base import Prior, Track, fill_gaps
from memgym.tracks.registry import register_track
from memgym.tracks.research import params as parameters
from memgym.tracks.research import reader, render
from memgym.tracks.research.assemble import assemble
from memgym.tracks.research.filler import filler_text
from memgym.tracks.research.schema import FIELDS
from memgym.tracks.research.world import build_world
from memgym.types import Event, Scenario


def filler_event(scenario: Scenario, step: int) -> Event:
    """The filler page at ``step`` of ``scenario`` (a pure function of its plan and the step)."""
    return Event(step=step, kind="distractor", text=filler_text(scenario.filler["seed"], step))


@register_track("research")
class ResearchTrack(Track, parameters=parameters):
    """Research tasks that follow chains of 2-6 hops through pages of look-alike results."""

    def generate(self, seed: int, tier: str | None = None, **overrides: Any) -> Scenario:
        """The scenario for ``seed``: one ``random.Random(seed)`` drives every choice."""
        p = self.params(tier, **overrides)
        rng = _random.Random(seed)
        world = build_world(rng, p)
        return assemble(rng, seed, p, world, render.brief(p))

    def read(self, text: str) -> list[Claim]:
        """Every claim in ``text`` (results, profiles, errata, note lines), in text order."""
        return reader.read(text)

    def stream(self, scenario: Scenario) -> Iterator[Event]:
        """Core events with filler pages generated on demand in every gap."""
        total = scenario.filler.get("total_steps", 0)
        return fill_gaps(scenario.events, total, lambda step: filler_event(scenario, step))

    def priors(self, params: Mapping[str, Any]) -> dict[str, Prior]:
        """attribute -> the uniform integer range it is drawn from."""
        return {f.name: Prior("int", f.low, f.high) for f in FIELDS.values() if not f.relation}
