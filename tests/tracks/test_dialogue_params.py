"""The dialogue track's parameters: tiers resolve, bad values name the culprit."""

from __future__ import annotations

import pytest

from memgym.tracks import get_track, track_names
from memgym.tracks.dialogue.world import PARTY

TRACK = get_track("dialogue")


def test_registered_with_tiers_that_grow() -> None:
    assert "dialogue" in track_names()
    sizes = [TRACK.params(t)["target_tokens"] for t in ("lite", "standard", "hard")]
    assert sizes == sorted(sizes) and len(set(sizes)) == 3
    p = TRACK.params("lite")
    assert p["tier"] == "lite"
    assert p["companions"] <= PARTY  # the party is PARTY people, companions of them in full
    assert p["entities"] == (1 + PARTY + p["colleagues"] + p["bookings"] * p["catalogue_size"])


@pytest.mark.parametrize(
    ("overrides", "culprit"),
    [
        ({"target_tokens": 5_000}, "target_tokens"),
        ({"target_tokens": 2_000_000}, "target_tokens"),
        ({"questions": 0}, "questions"),
        ({"bookings": 4}, "bookings"),
        ({"companions": "two"}, "companions"),
        ({"corrections": 5, "updates": 5}, "corrections \\+ updates"),
        ({"rechanges": 9}, "rechanges"),
        ({"maintenance_pages": 3}, "maintenance_pages"),
        ({"catalogue_size": 3}, "catalogue_size"),
        ({"write_budget": True}, "write_budget"),
        ({"colour": 1}, "colour"),
        ({"entities": 9}, "entities"),
    ],
)
def test_bad_parameters_are_named(overrides: dict, culprit: str) -> None:
    with pytest.raises(ValueError, match=culprit):
        TRACK.params("lite", **overrides)


def test_unknown_tier_is_named() -> None:
    with pytest.raises(ValueError, match="epic"):
        TRACK.params("epic")


def test_any_length_in_range_is_accepted() -> None:
    assert TRACK.params("hard", target_tokens=1_000_000)["target_tokens"] == 1_000_000
