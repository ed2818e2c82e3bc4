"""The dialogue's meal count is spread flat over ``1..PARTY``: no constant count is worth
guessing, and the travel party is ``PARTY`` people, ``companions`` of them with full details."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from memgym.tracks import get_track
from memgym.tracks.dialogue import phrases
from memgym.tracks.dialogue.world import COMPANION_ASKABLE, PARTY, build_world
from memgym.types import Scenario


@pytest.mark.parametrize("companions", [1, 4, 6])
def test_party_has_party_size_and_full_companions(companions: int) -> None:
    world = build_world(random.Random(7), companions, 3, 2, 2)
    assert len(world.companions) == PARTY
    full = [p for p in world.companions if {f.attribute for f in p.facts} >= set(COMPANION_ASKABLE)]
    assert len(full) == companions
    for person in world.companions:
        assert [f.attribute for f in person.facts][:2] == ["travels_with", "meal"]
        assert person.facts[0].value == world.user
    names = [world.user, *(p.name for p in world.companions + world.colleagues)]
    parts = [part for name in names for part in name.split()]
    assert len(parts) == len(set(parts))  # nobody shares a first or last name


def test_meal_count_is_flat_over_the_party() -> None:
    counts: Counter[int] = Counter()
    worlds = 1600
    for seed in range(worlds):
        world = build_world(random.Random(seed), 4, 2, 2, 1)
        meals = [f.value for p in world.companions for f in p.facts if f.attribute == "meal"]
        counts[meals.count(world.counted_meal)] += 1
    assert set(counts) == set(range(1, PARTY + 1))
    # uniform: each count ~1/PARTY (100 of 1,600); no constant count near 10 %
    assert max(counts.values()) / worlds < 0.09
    assert min(counts.values()) / worlds > 0.04


def test_count_question_gold_matches_the_party() -> None:
    track = get_track("dialogue")
    for seed in range(3):
        scenario = track.generate(seed, "lite")
        asked = [q for q in scenario.questions if q.spec.get("op") == "count"]
        assert asked
        for question in asked:
            _, (_, _, meal) = question.spec["where"]
            party = {f.entity for f in scenario.facts if f.attribute == "travels_with"}
            eating = {
                f.entity
                for f in scenario.facts
                if f.attribute == "meal" and f.value == meal and f.entity in party
            }
            assert len(party) == PARTY
            assert str(question.answer) == str(len(eating))


def test_reader_reads_a_roster_line_by_line() -> None:
    text = (
        "User: Please put the rest of our group on the trip as well.\n"
        "Agent: Added to the travel party of Maya Okafor:\n"
        "- Ivo Brandt, gluten free meal\n"
        "- Lena Sato, vegan meal\n"
        "Ivo Brandt called earlier."
    )
    claims = [(c.entity, c.attribute, c.value) for c in get_track("dialogue").read(text)]
    assert claims == [
        ("Ivo Brandt", "travels_with", "Maya Okafor"),
        ("Ivo Brandt", "meal", "gluten free"),
        ("Lena Sato", "travels_with", "Maya Okafor"),
        ("Lena Sato", "meal", "vegan"),
    ]


def _meal_pages(scenario: Scenario) -> set[int]:
    """The steps of the events stating the party's meals (the count's pages; only the
    customer's party turns state facts, the friends' among the chores are distractors)."""
    party = {f.entity for f in scenario.facts if f.attribute == "travels_with"}
    assert len(party) == PARTY
    return {f.step for f in scenario.facts if f.attribute == "meal" and f.entity in party}


@pytest.mark.parametrize(("tier", "roster"), [("standard", 1), ("hard", 1), ("lite", 10)])
def test_roster_caps_the_party_members_a_turn_adds(tier: str, roster: int) -> None:
    track = get_track("dialogue")
    assert track.params(tier)["roster"] == roster
    frame = phrases.ROSTER_FRAME.split("{E}")[0]
    sizes: set[int] = set()
    for seed in range(3):
        scenario = track.generate(seed, tier)
        for event in scenario.events:
            if frame in event.text:  # the customer's rosters and the friends' among the chores
                sizes.add(sum(line.startswith("- ") for line in event.text.splitlines()))
        pages = _meal_pages(scenario)
        assert (len(pages) == PARTY) == (roster == 1)  # one page per traveller at roster 1
    assert min(sizes) == 1 and max(sizes) <= roster
    assert (max(sizes) > 1) == (roster > 1)


def test_bad_roster_is_named() -> None:
    track = get_track("dialogue")
    for value in (0, PARTY + 1):
        with pytest.raises(ValueError, match="roster"):
            track.params("lite", roster=value)
