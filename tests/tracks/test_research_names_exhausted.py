"""A holder whose near misses are all taken skips building them, with the same draws."""

from __future__ import annotations

import random

from memgym.tracks.research.names import Namer
from memgym.tracks.research.schema import EVENT, ORG, PERSON, PLACE


class _Forgetful(set[str]):
    """An ``exhausted`` set that never remembers: every call takes the slow path."""

    def add(self, element: str) -> None:
        return None


def _names(kind: str, remember: bool, calls: int) -> tuple[list[str], float, int]:
    rng = random.Random(11)
    namer = Namer(rng.random)
    if not remember:
        namer.exhausted = _Forgetful()
    holder = namer.fresh(kind)
    out = [namer.near_miss(kind, holder) for _ in range(calls)]
    return out, rng.random(), len(namer.exhausted)


def test_exhausted_holders_draw_as_the_slow_path_does() -> None:
    for kind, calls in ((PLACE, 60), (ORG, 40), (EVENT, 40), (PERSON, 30)):
        fast, slow = _names(kind, True, calls), _names(kind, False, calls)
        assert fast[:2] == slow[:2], kind
    assert _names(PLACE, True, 60)[2] == 1  # a place's near misses run out within 60
