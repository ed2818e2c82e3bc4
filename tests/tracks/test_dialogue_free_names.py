"""Other customers' names are drawn as ``random.Random.choice`` draws them (inlined)."""

from __future__ import annotations

import random

from memgym.tracks.dialogue.lookups import distinct_names
from memgym.tracks.dialogue.vocab import FIRST_NAMES, LAST_NAMES


def test_distinct_names_draw_as_choice_does() -> None:
    for seed in range(30):
        rng = random.Random(seed)
        firsts = [n for n in FIRST_NAMES if rng.random() < 0.7]
        lasts = [n for n in LAST_NAMES if rng.random() < 0.4]
        count = rng.randrange(1, len(firsts) * len(lasts) + 5)
        ours, theirs = random.Random(seed), random.Random(seed)
        expected: dict[str, None] = {}
        while len(expected) < min(count, len(firsts) * len(lasts)):
            expected[f"{theirs.choice(firsts)} {theirs.choice(lasts)}"] = None
        assert distinct_names(ours, firsts, lasts, count) == list(expected)
        assert ours.getstate() == theirs.getstate()
    assert distinct_names(random.Random(1), [], ["Moss"], 5) == []
