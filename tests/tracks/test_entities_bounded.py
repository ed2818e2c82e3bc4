"""No entities question is answered by a bounded memory. A correction states the value it
replaces, so a previous-value or delta question about one would be answered by that one event
(a reservoir of a few corrections holds it often enough to score): those questions ask about
unlabeled updates only, whose old value only an earlier event states. Validate's family is
scored on seeds it was not tuned on."""

from __future__ import annotations

from memgym.query import ABSTAIN, Table, evaluate
from memgym.scoring import is_correct
from memgym.scoring.reading import answer_names
from memgym.simulation.bounded import CHEAT_CEILING, UNION, bounded_scores
from memgym.tracks import get_track, stream_events

BEFORE_AFTER = ("previous_value", "delta")


def test_no_single_event_answers_a_before_after_question() -> None:
    track = get_track("entities")
    asked = 0
    for seed in range(6):
        scenario = track.generate(seed, "lite")
        names = answer_names(scenario)
        seen: list[str] = []
        for event in stream_events(scenario):
            q = event.question
            if q is None:
                seen.append(event.text)
                continue
            if q.kind not in BEFORE_AFTER:
                continue
            asked += 1
            whole = evaluate(q.spec, Table.from_claims(track.read_cached("\n".join(seen))))
            assert is_correct(q, whole, names), (seed, q.id)  # the stream answers it
            for text in seen:
                claims = track.read_cached(text)
                answer = evaluate(q.spec, Table.from_claims(claims)) if claims else ABSTAIN
                assert not is_correct(q, answer, names), (seed, q.id, text)
    assert asked >= 6


def test_the_bounded_family_stays_under_the_ceiling() -> None:
    rows = bounded_scores("entities", "lite", [200, 201, 202, 203])
    judged = [r for r in rows if r.judged]
    assert rows[-1].member == UNION and rows[-1].judged
    assert len(judged) > 20
    assert max(r.composite for r in judged) <= CHEAT_CEILING, [
        (r.member, r.composite) for r in judged if r.composite > CHEAT_CEILING
    ]
