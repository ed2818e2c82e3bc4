"""codeqa against a memory of values without whose they are (the entity-blind memory).

Expectations are recomputed from the scenario's own stream, read by the track's reader: the
values of the asked attribute stated before each question, about anyone.
"""

from __future__ import annotations

import random
from collections import Counter

import pytest

from memgym.claims import format_value
from memgym.tracks import get_track, stream_events
from memgym.tracks.codeqa.world import PER_FAMILY, build_world

TRACK = get_track("codeqa")


def _blind_values(seed: int, tier: str) -> list[tuple[object, str, list[str]]]:
    """Each valued question (gold, asked attribute) with the asked attribute's values stated
    before it, about any entity, in stream order."""
    scenario = TRACK.generate(seed, tier)
    stated: list[tuple[str, str]] = []
    out = []
    for event in stream_events(scenario):
        q = event.question
        if q is None:
            stated += [(c.attribute, c.value) for c in TRACK.read(event.text)]
            continue
        attribute = str(q.spec.get("attribute", ""))
        if q.answer is None or not attribute:
            continue
        out.append((q.answer, attribute, [v for a, v in stated if a == attribute]))
    return out


@pytest.mark.parametrize("tier", ["lite", "standard", "hard"])
def test_no_gold_is_what_an_entity_blind_memory_answers(tier: str) -> None:
    asked = 0
    for seed in range(6):
        for gold, attribute, values in _blind_values(seed, tier):
            asked += 1
            text = format_value(gold)
            assert text in values, (seed, attribute, text)  # the gold was stated before
            counts = Counter(values)
            commonest = max(counts, key=counts.__getitem__)  # ties: the first seen
            assert text not in {values[-1], commonest}, (seed, tier, attribute, text)
            if len(values) > 1:
                assert text != values[-2], (seed, tier, attribute, text)
    assert asked >= 6 * 3


@pytest.mark.parametrize("tier", ["lite", "standard", "hard"])
def test_constants_have_distinct_values_and_share_few_families(tier: str) -> None:
    p = TRACK.params(tier)
    for seed in range(6):
        world = build_world(random.Random(seed), p)
        values = [c.value for c in world.constants] + [ch.new for ch in world.changes]
        assert len(set(values)) == len(values), seed
        suffixes = Counter(c.family.suffix for c in world.constants)
        assert len(suffixes) <= max(2, -(-p["constants"] // PER_FAMILY)), (seed, suffixes)
        assert sum(suffixes.values()) / len(suffixes) >= PER_FAMILY / 2, (seed, suffixes)
