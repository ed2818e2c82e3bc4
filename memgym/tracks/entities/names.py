"""Fictional names: entities (unique stems per world), people, places and codes.

Stems are a head syllable plus a tail syllable from a domain's own pool, so no generated name is a
real entity a model could know. All choices take ``random``, the bound ``random.Random.random`` of
the scenario's one generator.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from memgym.tracks.entities.templates import FIRST_NAMES, PLACES, SURNAMES, NameParts

Random01 = Callable[[], float]
"""A scenario's ``rng.random``: all randomness here flows from it."""

_CODE_LETTERS = "ABCDEFGHJKLMNPRSTUVWXZ"


@cache
def stems(parts: NameParts) -> tuple[str, ...]:
    """Every distinct head + tail stem of ``parts``, in a fixed order."""
    seen: dict[str, None] = {}
    for head in parts.heads:
        for tail in parts.tails:
            seen.setdefault(head + tail, None)
    return tuple(seen)


def entity_names(
    rng_sample: Callable[[range, int], list[int]], random: Random01, parts: NameParts, count: int
) -> list[str]:
    """``count`` names with pairwise distinct stems (``rng_sample`` is the scenario's ``rng.sample``)."""
    pool = stems(parts)
    suffixes = parts.suffixes
    n = len(suffixes)
    names = []
    for i in rng_sample(range(len(pool)), count):
        suffix = suffixes[int(random() * n)]
        names.append(parts.pattern.format(stem=pool[i], suffix=suffix) if suffix else pool[i])
    return names


def max_entities(parts: NameParts) -> int:
    """How many distinct stems ``parts`` can give."""
    return len(stems(parts))


def person(random: Random01) -> str:
    """A fictional person: first name and a syllable-built surname."""
    first = FIRST_NAMES[int(random() * len(FIRST_NAMES))]
    head = SURNAMES.heads[int(random() * len(SURNAMES.heads))]
    tail = SURNAMES.tails[int(random() * len(SURNAMES.tails))]
    return f"{first} {head}{tail}"


def place(random: Random01) -> str:
    """A fictional place name."""
    return (
        PLACES.heads[int(random() * len(PLACES.heads))]
        + PLACES.tails[int(random() * len(PLACES.tails))]
    )


def code(random: Random01) -> str:
    """An identifier such as ``KX-4821``."""
    n = len(_CODE_LETTERS)
    return f"{_CODE_LETTERS[int(random() * n)]}{_CODE_LETTERS[int(random() * n)]}-{1000 + int(random() * 9000)}"


TEXT_MAKERS: dict[str, Callable[[Random01], str]] = {"person": person, "place": place, "code": code}
"""Text attribute generator by its ``gen`` name."""
