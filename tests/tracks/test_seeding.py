"""A reseeded thread generator is in the state ``random.Random(text)`` starts in."""

from __future__ import annotations

import random
import threading

from memgym.tracks.seeding import C_SEED, reseeded, text_key, thread_generator


def test_reseeded_state_equals_a_new_generator_from_the_text() -> None:
    for text in ("", "a", "dialogue-filler|0|0", "codeqa-filler|-3|7|-96", "é|ß|" * 40):
        expected = random.Random(text)
        rng = reseeded(text)
        assert rng.getstate() == expected.getstate()
        assert [rng.random() for _ in range(5)] == [expected.random() for _ in range(5)]


def test_each_thread_has_its_own_generator() -> None:
    seen: list[random.Random] = []
    worker = threading.Thread(target=lambda: seen.append(thread_generator()))
    worker.start()
    worker.join()
    assert seen[0] is not thread_generator()
    assert thread_generator() is thread_generator()


def test_the_c_seed_with_the_text_key_seeds_as_random_does() -> None:
    for text in ("", "dialogue-filler|3|17", "é|ß|" * 40):
        rng = random.Random()
        C_SEED(rng, text_key(text.encode()))
        assert rng.getstate() == random.Random(text).getstate()
