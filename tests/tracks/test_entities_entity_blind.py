"""Entities questions are never answered by a memory of values without whose they are: the
asked attribute's last or commonest value stated so far about anyone (recomputed here by
reading the stream with the track's reader)."""

from collections import Counter

import pytest

from memgym.scoring import is_correct
from memgym.scoring.reading import answer_names
from memgym.simulation.cheats import asked_attribute
from memgym.tracks import get_track
from memgym.tracks.registry import stream_events

VALUE_OPS = {"value", "previous", "hop"}


@pytest.mark.parametrize(("tier", "template"), [("lite", "sports_team"), ("standard", "city"),
                                                ("standard", "sports_team"), ("hard", "company")])
def test_no_value_question_is_the_blind_memorys_answer(tier: str, template: str) -> None:
    track = get_track("entities")
    checked = 0
    for seed in range(6):
        scenario = track.generate(seed, tier, template=template)
        names = answer_names(scenario)
        stated: dict[str, list[str]] = {}
        for event in stream_events(scenario):
            q = event.question
            if q is None:
                for claim in track.read(event.text):
                    stated.setdefault(claim.attribute, []).append(claim.value)
                continue
            values = stated.get(asked_attribute(q.spec), [])
            if q.spec.get("op") not in VALUE_OPS or not values:
                continue
            counts = Counter(values)
            commonest = max(counts, key=counts.__getitem__)
            for guess in {values[-1], commonest}:
                assert not is_correct(q, guess, names), (seed, q.id, q.spec, guess)
            checked += 1
    assert checked >= 10
