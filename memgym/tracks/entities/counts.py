"""The counts a filter-count question answers ("how many with enum X and a number above T").

A threshold drawn among the matching entities' values made the count uniform over 1..n-1 for n
matching entities, and most filters match few, so the constant 1 held 20-22 % of them at lite.
The count is drawn first instead, uniform over every count the world can ask, and the filter and
threshold are chosen to give it (``questions.Asker.filter_count``).
"""

from __future__ import annotations


def count_support(largest: int) -> list[int]:
    """The counts a filter count may answer in a world whose largest enum group (the entities
    sharing one value of one enum field) has ``largest`` members: 1 to ``largest - 1``, as the
    threshold is one member's value and so leaves it out (0 is never asked)."""
    return list(range(1, largest))
