"""Generators seeded from a text, as ``random.Random(text)`` seeds them, without making one each
time: filler drawn per (seed, index) reseeds one generator per thread thousands of times.

``random.Random(text)`` costs about three times a reseed: making it reads the OS's entropy, and
its constructor seeds it twice (the C type hashes the text, then ``seed`` uses its sha512). A
reseed sets the state ``seed`` would: the integer of the text's UTF-8 bytes followed by their
sha512 digest, given to the C generator's ``seed`` (``tests/tracks/test_seeding.py`` compares the
states).
"""

from __future__ import annotations

import random
import threading
from hashlib import sha512

_LOCAL = threading.local()
_C_SEED = random.Random.__mro__[1].seed  # type: ignore[attr-defined]
"""The C base generator's ``seed``, which ``random.Random.seed`` ends in."""


def thread_generator() -> random.Random:
    """This thread's reusable generator (its state is whatever the last reseed left)."""
    try:
        return _LOCAL.rng  # type: ignore[no-any-return]
    except AttributeError:
        _LOCAL.rng = random.Random()
        return _LOCAL.rng  # type: ignore[no-any-return]


def reseeded(text: str) -> random.Random:
    """This thread's generator in the state of ``random.Random(text)``. The caller draws what it
    needs before anything else in the thread reseeds it."""
    rng = thread_generator()
    key = text.encode()
    _C_SEED(rng, int.from_bytes(key + sha512(key).digest()))
    return rng
