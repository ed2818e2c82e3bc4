"""No research question is answerable from the values of its field alone: recomputed from the
stream with the track's own reader, whoever each value is about."""

from __future__ import annotations

from collections import Counter

import pytest

from memgym.tracks import get_track, stream_events
from memgym.tracks.research.blind import LATER_VALUES

TRACK = get_track("research")


def _asked(spec: dict) -> str:
    return str(spec.get("attribute") or spec["relations"][-1])


@pytest.mark.parametrize(("seed", "tier"), [(0, "lite"), (4, "lite"), (1, "standard"), (2, "hard")])
@pytest.mark.parametrize("placement", ["interleaved", "end"])
def test_blind_values_never_give_the_gold(seed: int, tier: str, placement: str) -> None:
    scenario = TRACK.generate(seed, tier, question_placement=placement)
    values: dict[str, list[str]] = {}
    for event in stream_events(scenario):
        q = event.question
        if q is None:
            for claim in TRACK.read(event.text):
                values.setdefault(claim.attribute, []).append(claim.value)
            continue
        stated = values.get(_asked(q.spec), [])
        gold = str(q.answer)
        assert gold in stated, q.id  # the gold was stated, so memory can answer
        last_gold = max(i for i, v in enumerate(stated) if v == gold)
        assert len(stated) - 1 - last_gold >= LATER_VALUES, q.id
        counts = Counter(stated)
        assert counts[gold] < max(n for v, n in counts.items() if v != gold), q.id
        assert stated[-1] != gold and stated[-2] != gold, q.id


def test_the_guard_is_deterministic() -> None:
    assert TRACK.generate(9, "standard").hash == TRACK.generate(9, "standard").hash
