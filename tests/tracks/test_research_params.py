"""The research track's parameters: tiers, derived values and errors that name the culprit."""

from __future__ import annotations

import pytest

from memgym.tracks import get_track
from memgym.tracks.research.params import (
    FORMER,
    LOOKALIKES,
    LOOKALIKES_PER_QUESTION,
    LOOKALIKES_SPREAD,
    SHORT_BUDGET,
    SHORT_TASKS,
    SHORT_TOKENS,
    hop_schedule,
)

TRACK = get_track("research")


def test_tiers_resolve_with_derived_counts() -> None:
    for tier in ("lite", "standard", "hard"):
        p = TRACK.params(tier)
        hops = hop_schedule(p)
        assert p["questions"] == p["tasks"] + min(p["intermediate"], sum(h >= 3 for h in hops))
        per_question = LOOKALIKES_PER_QUESTION * p["spread"] // LOOKALIKES_SPREAD
        lookalikes = LOOKALIKES + per_question * p["questions"]
        assert p["entities"] == sum(hops) * (1 + p["siblings"]) + lookalikes
    assert TRACK.params()["tier"] == "lite"
    assert [TRACK.params(t)["target_tokens"] for t in ("lite", "standard", "hard")] == [
        30_000,
        50_000,
        100_000,
    ]


def test_lite_shorter_than_its_own_length_asks_fewer_tasks() -> None:
    """Lite's 6 tasks do not fit 10,000 tokens on seed 5041 (nor 5236, 5276: 3 of seeds 5000-5276);
    at that length, no content set, lite asks ``SHORT_TASKS`` with its former write budget and
    fits; a set count or budget is kept."""
    short, own = TRACK.params("lite", target_tokens=10_000), TRACK.params("lite")
    assert short["tasks"] == SHORT_TASKS < own["tasks"]
    assert short["write_budget"] == SHORT_BUDGET < own["write_budget"]
    assert TRACK.params("lite", target_tokens=10_000, write_budget=30)["write_budget"] == 30
    assert TRACK.params("lite", target_tokens=SHORT_TOKENS)["tasks"] == own["tasks"]
    assert TRACK.params("standard", target_tokens=20_000)["tasks"] == 8
    assert TRACK.params("lite", target_tokens=10_000, siblings=2)["tasks"] == 6
    with pytest.raises(ValueError, match="target_tokens"):
        TRACK.generate(5041, "lite", target_tokens=10_000, tasks=6)
    scenario = TRACK.generate(5041, "lite", target_tokens=10_000)
    assert sum(e.question is not None for e in scenario.events) == short["questions"]


@pytest.mark.parametrize(
    ("overrides", "culprit"),
    [
        ({"tasks": 0}, "tasks"),
        ({"tasks": "3"}, "tasks"),
        ({"min_hops": 1}, "min_hops"),
        ({"max_hops": 7}, "max_hops"),
        ({"min_hops": 4, "max_hops": 3}, "max_hops"),
        ({"siblings": -1}, "siblings"),
        ({"intermediate": 99}, "intermediate"),
        ({"corrections": 99}, "corrections"),
        ({"target_tokens": 5_000}, "target_tokens"),
        ({"target_tokens": 2_000_000}, "target_tokens"),
        ({"write_budget": 0}, "write_budget"),
        ({"doc_style": "poem"}, "doc_style"),
        ({"question_placement": "start"}, "question_placement"),
        ({"entities": 10}, "entities"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_parameters_are_named(overrides: dict, culprit: str) -> None:
    with pytest.raises(ValueError, match=culprit):
        TRACK.params("lite", **overrides)


def test_unknown_tier() -> None:
    with pytest.raises(ValueError, match="tier"):
        TRACK.params("impossible")


def test_shorter_than_its_own_length_a_tier_takes_its_former_shape() -> None:
    """Gold places 100 wide need each tier's own length: shorter, each takes its former shape (places 40 wide, its former write budget and content counts), each value
    unless set, the counts only when no content is set."""
    assert (TRACK.params("lite")["spread"], TRACK.params("standard")["spread"]) == (100, 100)
    for tier, tokens in (
        ("lite", 12_000),
        ("lite", 29_999),
        ("standard", 30_000),
        ("hard", 99_999),
    ):
        p = TRACK.params(tier, target_tokens=tokens)
        assert {k: p[k] for k in FORMER[tier]} == FORMER[tier], (tier, tokens)
    assert TRACK.params("lite", target_tokens=30_000)["spread"] == 100
    kept = TRACK.params("lite", target_tokens=12_000, spread=70, write_budget=33, corrections=3)
    assert (kept["spread"], kept["write_budget"], kept["corrections"]) == (70, 33, 3)
    assert kept["intermediate"] == TRACK.params("lite")["intermediate"]
    assert TRACK.params("hard")["spread"] == 100
    assert TRACK.params("hard", target_tokens=50_000)["spread"] == FORMER["hard"]["spread"]
    with pytest.raises(ValueError, match="spread"):
        TRACK.params("lite", spread=201)
