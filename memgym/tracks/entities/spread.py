"""Where a value question goes and whose value it asks, so the gold's rank tells nothing.

A memory that keeps the asked field's stated values but not whose they are holds, at a question,
the K values stated so far (documents come in entity order, so entity ``e``'s value is the
``e``-th from the start and the ``K - e``-th from the end). Any fixed rule ("the 4th last", "the
first") is right as often as the gold sits at its rank. Drawing the entity uniformly among the
known ones makes that ``1/K`` per question, so early questions (small K) pile the gold onto the
first and the last few ranks of every mixture of K. Two draws spread it instead:

- value questions wait until ``VALUE_DOCS`` documents are out, so K is never small;
- of the S entities at least ``gap`` documents back (nearer ones are too recent to ask), the
  asked one is uniform within the band ``[S - reach, reach)`` (``reach``: the mean S over the
  value questions' positions), so a question with many known values asks neither the oldest
  nor the newest of them more often than one with few does, and the gold's rank from either
  end (distance back from the question, place from the start) is about flat over
  ``[0, reach)``. A change's new value is asked ``d`` documents after it, ``d`` uniform.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable

VALUE_DOCS = 24
"""Documents out before a question asks for a stated value (half of them in larger worlds)."""


def value_first(doc_pos: list[int]) -> int:
    """The first timeline position a value question may take."""
    n = len(doc_pos)
    return doc_pos[min(n - 1, max(n // 2, VALUE_DOCS))] + 1


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
