"""The codeqa track: questions about a synthetic Python repository read in chunks."""

from __future__ import annotations

import random as _random
from collections.abc import Iterator
from typing import Any

from memgym.claims import Claim
from memgym.tracks.base import Track, fill_gaps
from memgym.tracks.codeqa import params as parameters
from memgym.tracks.codeqa import reader
from memgym.tracks.codeqa.assemble import assemble
from memgym.tracks.codeqa.filler import filler_event
from memgym.tracks.codeqa.questions import draw_questions, plan
from memgym.tracks.codeqa.stream import order
from memgym.tracks.codeqa.world import build_world
from memgym.tracks.registry import register_track
from memgym.types import Event, Scenario


def brief(package: str) -> str:
    """The task brief: what the stream holds and what will be asked (no facts)."""
    return (
        f"You are reading the source of the Python package {package}, file by file in chunks, "
        "mixed with hotfix notes, changelog entries, review comments, issue chatter, vendored "
        "legacy snapshots and unrelated debug logs. Questions will ask for constant values "
        "(current and before a change), which module defines a function, call chains between "
        "functions and how many functions raise an error. Only released hotfixes and changelog "
        "entries change values; unmerged proposals and legacy snapshots do not."
    )


@register_track("codeqa")
class CodeQATrack(Track, parameters=parameters):
    """Seeded repositories; see ``memgym.tracks.codeqa`` for the parts."""

    def generate(self, seed: int, tier: str | None = None, **overrides: Any) -> Scenario:
        """The scenario for ``seed`` (and ``subseed``): one ``random.Random`` drives it all."""
        p = self.params(tier, **overrides)
        rng = _random.Random(seed if p["subseed"] == 0 else f"codeqa|{seed}|{p['subseed']}")
        world = build_world(rng, p)
        items = order(rng, world, p)
        kinds = plan(rng, p["questions"], bool(world.changes))
        drafts = draw_questions(rng, world, items, kinds, p["question_placement"] == "end")
        return assemble(rng, seed, p, brief(world.package), items, drafts)

    def read(self, text: str) -> list[Claim]:
        """Every claim in ``text`` (code chunks, hotfixes, changelog lines, note lines)."""
        return reader.read(text)

    def stream(self, scenario: Scenario) -> Iterator[Event]:
        """Core events with filler generated on demand in the gaps."""
        plan_ = scenario.filler
        subseed = plan_.get("subseed", 0)
        return fill_gaps(
            scenario.events,
            plan_.get("total_steps", 0),
            lambda step: filler_event(scenario.seed, subseed, step),
        )
