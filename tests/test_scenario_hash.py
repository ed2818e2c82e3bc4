"""Scenario.hash is computed once per object, and never stale after a change by assignment."""

from __future__ import annotations

import gc
import hashlib

from memgym import types
from memgym.tracks import get_track
from memgym.types import Scenario


def _fresh(scenario: Scenario) -> str:
    return hashlib.sha256(scenario.canonical_json().encode()).hexdigest()


def test_hash_is_sha256_of_canonical_json_and_computed_once(monkeypatch) -> None:
    scenario = get_track("entities").generate(3, "lite")
    first = scenario.hash
    assert first == _fresh(scenario)
    calls = []
    monkeypatch.setattr(Scenario, "canonical_json", lambda self: calls.append(1) or "x")
    assert scenario.hash == first and not calls  # served from the cache


def test_assignment_and_copies_get_their_own_hash() -> None:
    scenario = get_track("entities").generate(4, "lite")
    before = scenario.hash
    copy = scenario.model_copy(update={"brief": scenario.brief + " again"})
    assert copy.hash == _fresh(copy) != before
    scenario.events = scenario.events[:-1]
    assert scenario.hash == _fresh(scenario) != before
    scenario.seed = 99
    assert scenario.hash == _fresh(scenario)


def test_cache_forgets_dead_scenarios() -> None:
    scenario = get_track("entities").generate(5, "lite")
    _ = scenario.hash
    key = id(scenario)
    assert key in types._HASHES
    del scenario
    gc.collect()
    assert key not in types._HASHES
