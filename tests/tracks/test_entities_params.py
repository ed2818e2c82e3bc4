"""Tiers, defaults and parameter validation of the entities track."""

from __future__ import annotations

import pytest

from memgym.tracks import get_track, track_names

EXPECTED_TIERS = {
    "lite": (48, 10, 48, 24),
    "standard": (60, 20, 60, 30),
    "hard": (120, 40, 120, 48),
    "multi": (60, 20, 60, 30),
}
KEYS = {
    "tier",
    "template",
    "entities",
    "questions",
    "corrections",
    "updates",
    "write_budget",
    "max_write_tokens",
    "distractor_rate",
    "doc_style",
    "question_placement",
    "sessions",
}


def test_registered_on_import():
    assert "entities" in track_names()
    assert get_track("entities").name == "entities"


@pytest.mark.parametrize("tier", list(EXPECTED_TIERS))
def test_tiers(track, tier):
    p = track.params(tier)
    assert set(p) == KEYS
    assert (p["entities"], p["questions"], p["corrections"], p["write_budget"]) == EXPECTED_TIERS[
        tier
    ]
    assert p["updates"] == p["corrections"]
    assert p["sessions"] == (3 if tier == "multi" else 1)
    assert p["template"] is None


def test_changes_follow_a_smaller_world(track):
    # corrections and updates default to one each per entity, in any tier: a small world
    # (the smoke protocol's 8 entities) is valid and gets as many of each as it has entities
    for tier in EXPECTED_TIERS:
        p = track.params(tier, entities=8, questions=3)
        assert (p["corrections"], p["updates"]) == (8, 8)
    scenario = track.generate(0, "lite", entities=8, questions=3)
    kinds = [e.kind for e in scenario.events]
    assert kinds.count("correction") == kinds.count("update") == 8


def test_defaults(track):
    assert track.default_tier == "lite"
    p = track.params()
    assert p["tier"] == "lite"
    assert p["doc_style"] == "narrative" and p["question_placement"] == "interleaved"
    assert 0 < p["distractor_rate"] < 1
    assert set(track.tiers) == set(EXPECTED_TIERS)


def test_overrides_apply_one_by_one(track):
    p = track.params(
        "standard",
        template="film",
        entities=40,
        questions=12,
        corrections=2,
        updates=7,
        write_budget=9,
        max_write_tokens=150,
        distractor_rate=0.5,
        doc_style="kv",
        question_placement="end",
        sessions=4,
    )
    assert p["template"] == "film" and p["entities"] == 40 and p["questions"] == 12
    assert (p["corrections"], p["updates"], p["write_budget"], p["max_write_tokens"]) == (
        2,
        7,
        9,
        150,
    )
    assert (p["distractor_rate"], p["doc_style"], p["question_placement"], p["sessions"]) == (
        0.5,
        "kv",
        "end",
        4,
    )


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("entities", -3),
        ("entities", 0),
        ("entities", 2),
        ("entities", 10_000),
        ("entities", "many"),
        ("entities", True),
        ("entities", 12.0),
        ("questions", 0),
        ("questions", 49),
        ("corrections", -1),
        ("updates", -2),
        ("write_budget", 0),
        ("max_write_tokens", -5),
        ("distractor_rate", -0.1),
        ("distractor_rate", "lots"),
        ("distractor_rate", 99),
        ("doc_style", "poem"),
        ("question_placement", "middle"),
        ("sessions", 0),
        ("sessions", 6),
        ("template", "spaceship"),
    ],
)
def test_bad_values_name_the_parameter(track, name, value):
    with pytest.raises(ValueError, match=name):
        track.params("lite", **{name: value})


def test_unknown_parameter_is_named(track):
    with pytest.raises(ValueError, match="colour"):
        track.params("lite", colour="blue")


def test_unknown_tier(track):
    with pytest.raises(ValueError, match="tier"):
        track.params("gigantic")


def test_changes_cannot_outnumber_four_per_entity(track):
    assert track.params("lite", corrections=100, updates=92)["updates"] == 92
    with pytest.raises(ValueError, match="corrections"):
        track.params("lite", corrections=100, updates=93)
    assert track.params("lite", corrections=180)["updates"] == 12


def test_generate_validates_too(track):
    with pytest.raises(ValueError, match="questions"):
        track.generate(1, "lite", questions=500)


def test_zero_changes_move_maintenance_to_breadth(track):
    scenario = track.generate(4, "lite", corrections=0, updates=0)
    axes = {q.axis for q in scenario.questions}
    assert "maintenance" not in axes
    assert {"breadth", "reasoning", "abstention"} <= axes
    assert not [e for e in scenario.events if e.kind in ("correction", "update")]
