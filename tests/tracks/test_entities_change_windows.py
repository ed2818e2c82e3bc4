"""No entities question is answered by a bounded memory of change events: the last or the first
K corrections, updates or changes of either kind (K up to ``WINDOW``), re-read here from the
stream text with the track's reader and the public query. Maintenance questions ask about a
change with ``WINDOW`` changes of its kind before it and ``WINDOW`` more before the question,
and most changes are decoys never asked about."""

from __future__ import annotations

from collections import Counter

import pytest

from memgym.query import ABSTAIN, Table, evaluate
from memgym.scoring import is_correct
from memgym.scoring.reading import answer_names
from memgym.tracks import get_track, stream_events
from memgym.tracks.entities.last_events import WINDOW
from memgym.types import Event

KS = (1, 2, 4, 8, WINDOW)
CLASSES = {"correction": ("correction",), "update": ("update",), "change": ("correction", "update")}


def _windows(changes: list[Event]) -> list[list[Event]]:
    """Every last-K and first-K window of every class over the change events so far."""
    out = []
    for kinds in CLASSES.values():
        chosen = [e for e in changes if e.kind in kinds]
        for k in KS:
            out += [chosen[-k:], chosen[:k]]
    return out


@pytest.mark.parametrize(
    ("tier", "seeds"), [("lite", range(30)), ("standard", range(12)), ("hard", range(4))]
)
def test_no_question_is_answered_by_a_window_of_change_events(tier: str, seeds: range) -> None:
    track = get_track("entities")
    asked: Counter[str] = Counter()
    hits: Counter[str] = Counter()
    for seed in seeds:
        scenario = track.generate(seed, tier)
        names = answer_names(scenario)
        changes: list[Event] = []
        for event in stream_events(scenario):
            q = event.question
            if q is None:
                if event.kind in CLASSES["change"]:
                    changes.append(event)
                continue
            if q.answer_type == "abstain":
                continue
            asked[q.axis] += 1
            for window in _windows(changes):
                claims = track.read_cached("\n".join(e.text for e in window))
                answer = evaluate(q.spec, Table.from_claims(claims)) if claims else ABSTAIN
                if is_correct(q, answer, names):
                    hits[q.kind] += 1
                    break
    assert asked["maintenance"] >= 2 * len(seeds), asked
    assert sum(hits.values()) == 0, (hits, asked)


@pytest.mark.parametrize("tier", ["lite", "standard", "hard", "multi"])
def test_asked_changes_lie_a_window_deep_among_many_decoys(tier: str) -> None:
    """The change a maintenance question asks about (the change event stating the asked
    entity's attribute) has ``WINDOW`` changes of its kind before it and ``WINDOW`` after it
    before the question; change events outnumber maintenance questions tenfold and more."""
    track = get_track("entities")
    checked = 0
    for seed in range(3):
        scenario = track.generate(seed, tier)
        changes: list[tuple[Event, set[tuple[str, str]]]] = []
        maintenance = 0
        for event in stream_events(scenario):
            q = event.question
            if q is None:
                if event.kind in CLASSES["change"]:
                    stated = {(c.entity, c.attribute) for c in track.read_cached(event.text)}
                    changes.append((event, stated))
                continue
            if q.axis != "maintenance":
                continue
            maintenance += 1
            key = (q.spec["entity"], q.spec["attribute"])
            at = next(i for i, (e, stated) in enumerate(changes) if key in stated)
            kind = changes[at][0].kind
            same = [i for i, (e, _) in enumerate(changes) if e.kind == kind]
            rank = same.index(at)
            assert rank >= WINDOW and len(same) - 1 - rank >= WINDOW, (seed, q.id, rank)
            checked += 1
        assert len(changes) >= 10 * maintenance
    assert checked >= 6
