"""The bounded-memory guard on a hand-made stream: which memory answers, and when none does."""

from __future__ import annotations

from memgym.claims import Claim
from memgym.tracks.bounded import EVERY, FEW_PAGES, BoundedGuard, Members, classes_of

VALUE = {"op": "value", "entity": "ALPHA_LIMIT", "attribute": "value"}
PREVIOUS = {"op": "previous", "entity": "ALPHA_LIMIT", "attribute": "value"}


def _stream(later_changes: int, pages_first: int = 20, early_changes: int = 0) -> BoundedGuard:
    """``early_changes`` corrections of other names, pages about others, one correction of
    ALPHA_LIMIT (8 -> 9), then ``later_changes`` corrections of other names, then pages about
    others; every item 100 tokens."""
    kinds: list[str] = []
    texts: list[str] = []
    claims: list[list[Claim]] = []
    for i in range(early_changes):
        kinds.append("correction")
        texts.append(f"HOTFIX: EARLY_{i} changed")
        claims.append([Claim(f"EARLY_{i}", "value", str(400 + i), str(500 + i))])
    for i in range(pages_first):
        kinds.append("document")
        texts.append(f"page {i}")
        claims.append([Claim(f"OTHER_{i}", "value", str(i))])
    kinds.append("correction")
    texts.append("HOTFIX: ALPHA_LIMIT changed from 8 to 9")
    claims.append([Claim("ALPHA_LIMIT", "value", "9", "8")])
    for i in range(later_changes):
        kinds.append("correction")
        texts.append(f"HOTFIX: BETA_{i} changed")
        claims.append([Claim(f"BETA_{i}", "value", str(100 + i), str(200 + i))])
    for i in range(20):
        kinds.append("document")
        texts.append(f"late page {i}")
        claims.append([Claim(f"LATE_{i}", "value", str(300 + i))])
    return BoundedGuard(kinds, texts, claims, [100] * len(kinds))


def test_a_recent_correction_is_answered_by_a_memory_of_the_last_changes() -> None:
    guard = _stream(later_changes=3)
    end = len(guard.claims)
    assert guard.answered_by(VALUE, "9", end) == "last4_correction"
    assert guard.answered_by(PREVIOUS, "8", end) == "last4_correction"
    assert guard.answered_by(VALUE, "77", end) is None  # a wrong gold is nobody's answer


def test_sixteen_changes_either_side_and_far_pages_leave_it_to_no_member() -> None:
    guard = _stream(later_changes=16, early_changes=16)
    end = len(guard.claims)
    assert guard.answered_by(VALUE, "9", end) is None
    assert guard.answered_by(PREVIOUS, "8", end) is None
    # right after the correction, the last event answers
    assert guard.answered_by(VALUE, "9", 16 + 21) == "last1_any"
    # without the early ones, it is the first correction
    assert _stream(later_changes=16).answered_by(VALUE, "9", end - 16) == "first1_correction"


def test_first_pages_and_token_windows() -> None:
    guard = _stream(later_changes=16, pages_first=0)  # the correction is the first event
    end = len(guard.claims)
    assert guard.answered_by(VALUE, "9", end) == "first1_events"
    guard = _stream(later_changes=16)
    first_page = {"op": "value", "entity": "OTHER_0", "attribute": "value"}
    assert guard.answered_by(first_page, "0", end) == "first1_events"
    # the 20th early page is beyond every first-K memory and 2,000 tokens back
    late = {"op": "value", "entity": "OTHER_19", "attribute": "value"}
    assert guard.answered_by(late, "19", len(guard.claims)) is None
    # 19 items of 100 tokens after it: a 2,000-token window (20 items) still holds it
    windows = Members({}, (), (1000, 2000))
    assert guard.answered_by(late, "19", 20 + 1 + 16 + 2, windows) == "tokens2000"
    assert guard.answered_by(late, "19", 20 + 1 + 16 + 2, Members({}, (), (1000,))) is None


def test_an_entity_blind_fallback_and_fewer_pages() -> None:
    guard = _stream(later_changes=0)
    end = len(guard.claims)
    # nobody states GAMMA: the reader abstains, the fallback answers the last value stated
    blind = {"op": "value", "entity": "GAMMA", "attribute": "value"}
    assert guard.answered_by(blind, "319", end) == "last1_any"
    # a document 12 documents back: a memory of 16 documents holds it, one of 4 does not
    twelve = {"op": "value", "entity": "LATE_8", "attribute": "value"}
    documents = Members({"document": EVERY.last["document"]}, (), ())
    assert guard.answered_by(twelve, "308", end, documents) == "last16_document"
    few = Members({"document": FEW_PAGES.last["document"]}, (), ())
    assert guard.answered_by(twelve, "308", end, few) is None


def test_classes_of_reads_kinds_and_change_words() -> None:
    assert classes_of("distractor", "nothing here") == ["any"]
    assert classes_of("document", "the cabin is now premium") == [
        "any",
        "page",
        "document",
        "changeword",
    ]
    assert set(classes_of("update", "X")) == {"any", "page", "update", "change"}


def test_kept_with_hits_is_exactly_the_memories_holding_one() -> None:
    guard = _stream(later_changes=6, early_changes=3)
    n = len(guard.claims)
    for p in (5, 20, 24, 30, n):
        every = guard.kept(p)
        for hits in ([0], [3], [23], [2, 23], [p - 1], list(range(0, p, 7))):
            hits = [h for h in hits if h < p]
            pruned = guard.kept(p, hits=hits)
            holding = {held for held in every if set(held) & set(hits)}
            assert set(pruned) == holding, (p, hits)


def test_a_stated_answer_needs_a_claim_stating_it() -> None:
    guard = _stream(later_changes=3)
    end = len(guard.claims)
    # "9.0" is the number 9: the same answer, found through the number key
    assert guard.answered_by(VALUE, "9.0", end) == "last4_correction"
    # a gold no claim states is given by no memory, whatever it holds
    assert guard.answered_by(PREVIOUS, "10", end) is None


def test_most_leaves_out_the_memories_that_are_not_small() -> None:
    guard = _stream(later_changes=3, early_changes=16)  # only the last 4 corrections hold it
    end = len(guard.claims)
    assert guard.answered_by(VALUE, "9", end) == "last4_correction"
    assert guard.answered_by(VALUE, "9", end, most=400) == "last4_correction"  # 4 x 100 tokens
    assert guard.answered_by(VALUE, "9", end, most=399) is None
    held = guard.kept(end, most=250)
    assert held and all(len(items) <= 2 for items in held)  # 100 tokens an item


def test_small_is_what_validate_judges() -> None:
    from memgym.simulation.bounded import BOUNDED_SHARE
    from memgym.tracks.bounded import SMALL_SHARE

    assert SMALL_SHARE == BOUNDED_SHARE
