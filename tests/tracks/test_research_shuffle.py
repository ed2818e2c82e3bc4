"""The research renderer's shuffle draws as ``random.Random.shuffle`` does."""

from __future__ import annotations

import random

from memgym.tracks.research.render import shuffle


def test_shuffle_gives_random_shuffles_order_and_state() -> None:
    for seed in range(200):
        size = seed % 40
        ours, theirs = random.Random(seed), random.Random(seed)
        mine, reference = list(range(size)), list(range(size))
        shuffle(ours.getrandbits, mine)
        theirs.shuffle(reference)
        assert mine == reference
        assert ours.getstate() == theirs.getstate()
