"""Where a value question goes and whose value it asks, so the gold's place tells nothing.

A memory that keeps the asked field's stated values but not whose they are holds, at a question,
the K values stated so far (documents come in entity order, so entity ``e``'s value is the
``e``-th from the start and the ``K - e``-th from the end). Any fixed rule ("the 4th last", "the
21st distinct from the start") picks one entity's value, so with the asked entity drawn among S
candidates it is right about ``1/S`` of the time, whatever the rule: the floor is set by how
many entities a value question chooses from, not by where they stand. So:

- value questions wait until ``VALUE_PLACES`` entities are ``gap`` documents or more back (half
  of them in larger worlds), so S is never small (at lite, 48 entities, this is the last sixth
  of the documents; with 30 entities no wait could make S larger than 26);
- of the S entities at least ``gap`` documents back (nearer ones are too recent to ask), the
  asked one is uniform within the band ``[S - reach, reach)`` (``reach``: the mean S over the
  value questions' positions), so a question with many known values asks neither the oldest
  nor the newest of them more often than one with few does, and the gold's place from either
  end (distance back from the question, place from the start) is about flat over the band,
  at least ``VALUE_PLACES`` wide. A change's new value is asked ``d`` documents after it, ``d``
  uniform.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable

VALUE_PLACES = 36
"""Entities a value question's entity is drawn among, at least (half of them in larger worlds):
no place rule is right more often than about 1 / ``VALUE_PLACES`` (2.8 %)."""


def value_first(doc_pos: list[int], gap: int) -> int:
    """The first timeline position a value question may take: ``VALUE_PLACES`` entities
    ``gap`` documents back (the last document in smaller worlds)."""
    n = len(doc_pos)
    return doc_pos[min(n - 1, max(n // 2, VALUE_PLACES + gap))] + 1


def reach(doc_pos: list[int], first: int, last: int, gap: int) -> int:
    """The mean number of entities known ``gap`` documents before a position in
    ``first..last`` (rounded up): the band the asked entity is drawn in."""
    first = min(first, last)
    total = sum(max(1, bisect_left(doc_pos, p) - gap) for p in range(first, last + 1))
    return -(-total // (last - first + 1))


def entity(random: Callable[[], float], known: int, band: int, gap: int) -> int:
    """An entity among the first ``known``, ``gap`` documents or more back, uniform in
    ``[eligible - band, band)`` (clipped; any known one when none is so far back)."""
    eligible = known - gap if known > gap else known
    lo, hi = max(0, eligible - band), min(eligible, band)
    if hi <= lo:
        lo, hi = 0, eligible
    return lo + int(random() * (hi - lo))
