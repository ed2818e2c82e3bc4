"""One reusable generator per thread, reseeded from a text: the state ``random.Random(text)``
starts in, without making a generator each time (filler drawn per (seed, index) reseeds
thousands of times per scenario; measured 3.85 µs per reseed against 4.1 µs for a new
generator, and ``random.Random()`` without a seed costs 10 µs: it reads the OS's entropy).
"""

from __future__ import annotations

import random
import threading

_LOCAL = threading.local()


def thread_generator() -> random.Random:
    """This thread's reusable generator (its state is whatever the last reseed left)."""
    try:
        return _LOCAL.rng  # type: ignore[no-any-return]
    except AttributeError:
        _LOCAL.rng = random.Random()
        return _LOCAL.rng  # type: ignore[no-any-return]


def reseeded(text: str) -> random.Random:
    """This thread's generator seeded with ``text`` (as ``random.Random(text)``). The caller
    draws what it needs before anything else in the thread reseeds it."""
    rng = thread_generator()
    rng.seed(text)
    return rng
