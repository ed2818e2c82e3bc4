"""Abstention detection, both ways, and the clean-versus-hedge rule."""

from __future__ import annotations

import pytest

from memgym.query import ABSTAIN
from memgym.scoring import is_abstention

CLEAN = [
    ABSTAIN,
    "Unknown.",
    "UNKNOWN",
    "The answer is unknown.",
    "Answer: unknown",
    "I don't know.",
    "I do not know",
    "I don\u2019t know",  # typographic apostrophe
    "Not known",
    "Not mentioned.",
    "This is not mentioned in my notes.",
    "Not stated",
    "Not specified in the documents",
    "It cannot be determined.",
    "Cannot be determined from the available information",
    "I can't tell from my notes.",
    "I'm unable to answer that.",
    "No information",
    "There is no information about Orrin Dynamics' founding year.",
    "Not enough information.",
    "Insufficient information to answer.",
    "N/A",
    "n/a",
    "Not applicable",
    "I have no idea.",
    "I'm not sure.",
    "The notes don't mention it.",
    "I don't have that information.",
    "Orrin Dynamics' founding year is unknown.",
    "It remains unclear.",
    "Unknown - the documents never say",
]
NOT_ABSTENTIONS = [
    "42",
    "Quell Systems",
    "Unknown Labs",
    "unknown soldiers",
    "none",
    "0",
    "rising (3.5)",
    "Known for its founding year",
    "",
    "   ",
    "...",
]
HEDGES = [
    "unknown, probably 42",
    "Unknown (maybe 1987)",
    "I don't know, but Quell Systems is likely",
    "Not mentioned; my best guess is Vantor Labs",
    "I don't know. I think it is rising",
    "Cannot be determined, approximately 40",
    "Not stated, perhaps Quell Systems",
    "I don't know - however, Vantor Labs leads",
    "N/A (1987)",
]


@pytest.mark.parametrize("answer", CLEAN)
def test_clean_abstentions_are_recognised(answer):
    assert is_abstention(answer)


@pytest.mark.parametrize("answer", NOT_ABSTENTIONS)
def test_committed_answers_are_not_abstentions(answer):
    assert not is_abstention(answer)


@pytest.mark.parametrize("answer", HEDGES)
def test_hedges_that_offer_a_value_are_not_clean_abstentions(answer):
    assert not is_abstention(answer)


@pytest.mark.parametrize("answer", [None, 0, 1.5, ["unknown"], b"unknown", {"a": "unknown"}])
def test_non_strings_are_not_abstentions(answer):
    assert not is_abstention(answer)
