"""The dialogue's chores for other customers bury the customer's pages in every event class.

Recomputed from the generated stream (kinds, the facts each event states, the reader's claims),
not from the generator's bookkeeping: the first and last 16 corrections, updates and documents
hold no fact a profile question rests on; the chores grow with the length; they name only
people the chat named before and change only values it stated; and no memory of a fixed number
of events (the family of ``memgym validate``: last-K, first-K, last-N tokens) small enough to be
judged answers a profile question.
"""

from __future__ import annotations

from collections import Counter

import pytest

from memgym.scoring import is_correct
from memgym.scoring.reading import answer_names
from memgym.simulation.bounded import BOUNDED_SHARE
from memgym.simulation.bounded_family import answers, family, looks_like_change
from memgym.tracks import get_track, stream_events
from memgym.tracks.dialogue.chores import BOOKING, MAX_CHORES, chore_count
from memgym.types import Scenario

TRACK = get_track("dialogue")
EDGE = 16


def _profile_evidence(scenario: Scenario) -> set[str]:
    return {f for q in scenario.questions if q.kind != "selection" for f in q.evidence}


@pytest.mark.parametrize("tier", ["standard", "hard"])
def test_the_customers_pages_sit_behind_chores_at_both_ends(tier: str) -> None:
    for seed in range(3):
        scenario = TRACK.generate(seed, tier)
        evidence = _profile_evidence(scenario)
        assert evidence
        core = [e for e in scenario.events if e.question is None]
        for kind in ("correction", "update", "document"):
            of_kind = [e for e in core if e.kind == kind]
            assert len(of_kind) > 3 * EDGE
            head = of_kind[1 : EDGE + 1] if kind == "document" else of_kind[:EDGE]  # greeting
            for event in head + of_kind[-EDGE:]:
                assert not evidence & set(event.facts), (seed, kind, event.text)


def test_chores_grow_with_the_length() -> None:
    def changes(scenario: Scenario) -> int:
        kinds = Counter(e.kind for e in scenario.events)
        return kinds["correction"] + kinds["update"] + kinds["document"]

    standard = changes(TRACK.generate(0, "standard"))
    longer = changes(TRACK.generate(0, "standard", target_tokens=60_000))
    hard = changes(TRACK.generate(0, "hard"))
    assert changes(TRACK.generate(0, "lite")) < standard < longer <= hard
    assert longer > 1.25 * standard
    assert chore_count(1_000_000) == chore_count(100_000) == MAX_CHORES  # flat beyond 100k


def test_a_sample_of_16_change_looking_turns_rarely_holds_a_party_turn_at_hard() -> None:
    # a party turn states three of a companion's facts in confirmation frames that may say
    # "now": a random sample of 16 change-looking turns holds it with chance 16 / N at the
    # questions (N the change-looking turns before the first one, filler aside)
    for seed in range(3):
        seen = 0
        for event in TRACK.generate(seed, "hard").events:
            if event.question is not None:
                break
            seen += looks_like_change(event.text)
        assert EDGE / seen <= 0.04, (seed, seen)  # 431-494 turns; 249-270 with 1,000 chores


@pytest.mark.parametrize("tier", ["lite", "standard"])
def test_chores_name_known_people_and_change_only_stated_values(tier: str) -> None:
    for seed in range(3):
        scenario = TRACK.generate(seed, tier)
        user = scenario.questions[-1].spec.get("entity") or ""
        stated: dict[tuple[str, str], str] = {}
        chores = 0
        for event in stream_events(scenario):
            if event.question is not None:
                continue
            for claim in TRACK.read(event.text):
                key = (claim.entity, claim.attribute)
                if event.kind in ("correction", "update") and claim.entity != user:
                    chores += 1
                    assert key in stated, event.text  # a change of a value already stated
                    assert claim.value != stated[key]
                if claim.attribute in BOOKING and event.kind == "document":
                    chores += 1
                    assert stated.get(key) == claim.value, event.text  # read back as stated
                stated[key] = claim.value
        assert chores > 30


@pytest.mark.parametrize("tier", ["lite", "standard"])
def test_no_small_memory_of_the_first_or_last_events_answers_a_profile_question(
    tier: str,
) -> None:
    members = [m for m in family(True) if m.rule != "reservoir"]  # the deterministic ones
    checked = 0
    for seed in range(3):
        scenario = TRACK.generate(seed, tier)
        names = answer_names(scenario)
        for gold, row, shares in answers(TRACK, scenario, members):
            if gold.kind == "selection":
                continue
            for member, answer, share in zip(members, row, shares, strict=True):
                if share <= BOUNDED_SHARE:
                    checked += 1
                    assert not is_correct(gold, answer, names), (seed, gold.id, member.name)
    assert checked > 500
