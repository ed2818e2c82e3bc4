"""Scenario-scoped caches: emptied when a process moves on to another scenario, kept while it
stays on one; a track's read cache and the scripted reasoner's fragments among them."""

from __future__ import annotations

from functools import cache

from memgym import caches
from memgym.claims import _parse_line
from memgym.reasoners.scripted import ScriptedReasoner
from memgym.scoring.reading import _NAMES, answer_names
from memgym.tracks import get_track


def test_next_scenario_empties_registered_caches_only_when_the_scenario_changes() -> None:
    calls: list[str] = []

    @caches.per_scenario
    @cache
    def double(text: str) -> str:
        calls.append(text)
        return text * 2

    caches.next_scenario("scenario-a")
    double("x")
    double("x")
    caches.next_scenario("scenario-a")  # the same scenario: kept
    double("x")
    assert calls == ["x"]
    caches.next_scenario("scenario-b")
    double("x")
    assert calls == ["x", "x"]


def test_a_tracks_read_cache_and_shared_memos_are_emptied() -> None:
    track = get_track("entities")
    scenario = track.generate(0, "lite")
    ScriptedReasoner(track)  # registers the track's fragment cache
    caches.next_scenario(scenario.hash)
    text = scenario.events[0].text
    track.read_cached(text)
    answer_names(scenario)
    _parse_line("Entity | a: 1")
    track.__dict__["_fragment_cache"]["t"] = None
    assert track.__dict__["_read_cache"] and _NAMES and _parse_line.cache_info().currsize
    caches.next_scenario(track.generate(1, "lite").hash)
    assert not track.__dict__["_read_cache"]
    assert not track.__dict__["_fragment_cache"]
    assert not _NAMES and _parse_line.cache_info().currsize == 0
    # what is read after is the same as before
    assert track.read_cached(text) == track.read(text)
