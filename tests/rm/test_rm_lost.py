"""What is uniquely lost (``features.LOST_FEATURES``): values no kept text restates, read against
the brief and the questions asked; a compaction that restates what it drops loses nothing."""

from __future__ import annotations

import math

from memgym.rm.features import HAND_FEATURES, LOST_FEATURES, Compaction, hand_features

BRIEF = "Track the mayor of Corhaven and the town budget."
SPAN = "Corhaven council:\nThe mayor is Rima Kelton.\nThe budget is 420 crowns."


def _lost(
    dropped: list[str], kept: list[str], asked: list[str] | None = None, brief: str = BRIEF
) -> dict[str, float]:
    c = Compaction(brief, [(1, t) for t in dropped], kept, [(0, q) for q in asked or []])
    hand = dict(zip(HAND_FEATURES, hand_features(c), strict=True))
    return {name: hand[name] for name in LOST_FEATURES}


def test_lost_features_are_hand_features() -> None:
    assert set(LOST_FEATURES) <= set(HAND_FEATURES)
    assert len(set(HAND_FEATURES)) == len(HAND_FEATURES)


def test_a_restated_drop_loses_nothing() -> None:
    """A summary that restates every value of what it drops: nothing is lost, however much it
    drops; the same drop with an empty view loses every number and name."""
    summary = "Summary: The council of Corhaven: mayor Rima Kelton; budget 420 crowns."
    kept = _lost([SPAN], [summary])
    assert kept["nothing_lost"] == 1.0 and kept["lost_items"] == 0.0
    assert kept["lost_brief_words"] == 0.0 and kept["lost_brief_lines"] == 0.0
    gone = _lost([SPAN], [])
    items = {"420", "Corhaven", "Rima Kelton", "The"}  # its numbers and capitalised names
    assert gone["nothing_lost"] == 0.0
    assert gone["lost_items"] == math.log1p(len(items))
    assert gone["lost_item_share"] == len(items) / (len(items) + 1)


def test_only_what_no_kept_text_restates_counts() -> None:
    """Keeping the mayor's line but not the budget loses the budget's number and its line."""
    kept = ["Corhaven council:\nThe mayor is Rima Kelton."]
    got = _lost([SPAN], kept)
    assert got["lost_items"] == math.log1p(1)  # 420
    # of the brief's words the span states, only "budget" leaves with the budget's line
    # content words: four letters or more, no function words
    span_words = {"corhaven", "council", "mayor", "rima", "kelton", "budget", "crowns"}
    brief_words = {"track", "mayor", "corhaven", "town", "budget"}
    relevant = span_words & brief_words
    lost_relevant = {"budget"}
    assert got["lost_brief_words"] == math.log1p(len(lost_relevant))
    assert got["lost_brief_share"] == len(lost_relevant) / (len(relevant) + 1)
    # one value line leaves (the budget's), and its kind ("budg") is the brief's
    assert got["lost_brief_lines"] == math.log1p(1)
    assert got["lost_brief_line_share"] == 1 / 2


def test_a_value_the_brief_never_names_is_not_a_brief_line() -> None:
    got = _lost(["The ferry timetable lists 7 sailings."], ["Corhaven council"])
    assert got["lost_items"] > 0.0
    assert got["lost_brief_lines"] == 0.0 and got["lost_brief_words"] == 0.0


def test_lost_words_a_question_used() -> None:
    """Content words lost that a question asked so far used; none when nothing was asked."""
    kept = ["Corhaven council:\nThe mayor is Rima Kelton."]
    assert _lost([SPAN], kept)["lost_asked_words"] == 0.0
    asked = _lost([SPAN], kept, ["How many crowns is the budget?"])
    assert asked["lost_asked_words"] == math.log1p(len({"crowns", "budget"}))
