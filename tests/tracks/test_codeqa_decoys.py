"""codeqa's decoy changes and audits grow with the stream, so a random sample of 16 documents
rarely holds the chunk that defines an asked constant, at any length."""

from __future__ import annotations

import statistics

from memgym.tracks import get_track
from memgym.tracks.codeqa.stream import DECOY_MOST_TOKENS, DECOY_TOKENS, DECOYS_PER_CONSTANT
from memgym.types import Scenario

TRACK = get_track("codeqa")


def _decoy_changes(scenario: Scenario) -> int:
    """Corrections and updates of no repository constant (a constant states its module)."""
    facts = {f.id: f for f in scenario.facts}
    repository = {f.entity for f in scenario.facts if f.attribute == "module"}
    return sum(
        e.kind in ("correction", "update")
        and all(facts[i].entity not in repository for i in e.facts)
        for e in scenario.events
    )


def _reservoir_chance(scenario: Scenario, size: int = 16) -> float:
    """The mean, over retrieval questions, of the chance that a uniform random sample of
    ``size`` of the documents seen so far holds a given one of them (its defining chunk)."""
    seen, chances = 0, []
    for event in scenario.events:
        seen += event.kind == "document"
        if event.question is not None and event.question.kind == "retrieval":
            chances.append(min(1.0, size / seen))
    return statistics.fmean(chances)


def test_decoy_changes_grow_with_the_stream() -> None:
    for tokens in (40_000, 100_000):  # standard's length, hard's (with hard's repository then:
        # checks.grown_content): flat from DECOY_MOST_TOKENS
        scenario = TRACK.generate(0, "standard", target_tokens=tokens)
        constants = scenario.params["constants"]
        planned = DECOYS_PER_CONSTANT * constants * min(tokens, DECOY_MOST_TOKENS) / DECOY_TOKENS
        found = _decoy_changes(scenario)
        assert 0.85 * planned <= found <= planned  # a draw repeating a value is dropped


def test_a_sample_of_16_documents_rarely_holds_an_asked_constant_at_hard() -> None:
    chance = statistics.fmean(_reservoir_chance(TRACK.generate(s, "hard")) for s in range(4))
    assert chance <= 0.06  # 0.040; 0.101 when the decoys stopped growing at 30k tokens
