"""A research track with a planted surface leak, for the tests that show a learned adversary
able to fail (``tests/simulation/test_learned.py``, ``tests/test_audit_cli.py``)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from memgym.simulation import learned_selector as ls
from memgym.tracks.registry import _TRACKS
from memgym.tracks.research.track import ResearchTrack
from memgym.types import Scenario

NAME = "leaky-research"


class LeakyResearch(ResearchTrack):
    """Research with a planted surface leak: every event that states evidence of a later
    scored question ends with the marker word 'zebra'."""

    def generate(self, seed: int, tier: str | None = None, **overrides: Any) -> Scenario:
        scenario = super().generate(seed, tier, **overrides)
        events, cited = [], set()
        for event in reversed(scenario.events):
            q = event.question
            if q is not None:
                cited |= set(q.evidence) if q.axis != "abstention" else set()
            elif cited & set(event.facts):
                event = event.model_copy(update={"text": event.text + " zebra"})
            events.append(event)
        return scenario.model_copy(update={"events": events[::-1]})


@contextmanager
def registered() -> Iterator[str]:
    """The leaky track registered as ``NAME`` for the block (fitted selectors forgotten
    after it)."""
    _TRACKS[NAME] = LeakyResearch
    try:
        yield NAME
    finally:
        del _TRACKS[NAME]
        ls.fitted.cache_clear()
