"""Filler pages: unrelated search results generated on demand, and the plan for how many.

A filler page is a pure function of (filler seed, step): a query header on a general topic and a
few sentences about it, about ``SIZE`` tokens. The vocabulary holds no digits, no proper names
and none of the schema's frames, so a filler page states nothing about any entity. The count of
filler pages comes from the average size of a fixed sample, so planning costs the same at any
stream length.
"""

from __future__ import annotations

import random as _random
from functools import cache

from memgym.tokens import count_tokens
from memgym.tracks.research.render import RESULT_HEADER

SIZE = 150
"""Tokens a filler page grows to (it stops at the first sentence that reaches it; the sentences,
all different, always suffice)."""
SAMPLE = 200
"""Filler pages sampled to estimate the average size."""
SAMPLE_SEED = 20_251_122

TOPICS = (
    "tidal energy",
    "bookbinding",
    "soil chemistry",
    "glass blowing",
    "bird migration",
    "river dredging",
    "cheese ripening",
    "wind tunnels",
    "rope making",
    "lichen growth",
    "canal locks",
    "violin varnish",
    "compost heaps",
    "sail repair",
    "paper marbling",
    "orchard pruning",
    "kiln firing",
    "salt marshes",
    "clock escapements",
    "dry stone walls",
    "bee keeping",
    "map projections",
    "leather tanning",
    "fog harvesting",
    "tea blending",
    "peat bogs",
    "brass casting",
    "weather balloons",
    "seed banks",
    "coral reefs",
)
OPENERS = (
    "This page gives a general overview of {t}.",
    "Most introductions to {t} begin with a short history of the craft.",
    "Newcomers to {t} are usually advised to start small and take notes.",
    "Many older texts on {t} disagree about the basic terms.",
)
SENTENCES = (
    "Practitioners of {t} often stress patience over speed.",
    "A common mistake in {t} is to skip the preparation stage entirely.",
    "Regional traditions of {t} vary more than most guides admit.",
    "The tools used for {t} have changed little over the last generations.",
    "Some enthusiasts keep detailed diaries of every attempt at {t}.",
    "Critics argue that modern approaches to {t} lose something important.",
    "Weather and season both matter a great deal for {t}.",
    "Clubs devoted to {t} meet in village halls and share equipment.",
    "Good lighting and a clean workspace make {t} far more pleasant.",
    "Beginners should expect early results in {t} to be uneven.",
    "Several popular myths about {t} have been quietly abandoned.",
    "The vocabulary of {t} borrows heavily from older trades.",
    "Safety advice for {t} is simple but often ignored.",
    "Books on {t} tend to repeat the same handful of diagrams.",
    "Hobbyists and professionals approach {t} in quite different ways.",
    "There is no single correct method for {t}, only habits that work.",
    "Local museums sometimes hold small exhibits about {t}.",
    "Online forums about {t} are friendly but full of contradictions.",
    "The cost of getting started with {t} is lower than it looks.",
    "Experienced hands say the hardest part of {t} is knowing when to stop.",
)


def filler_text(seed: int, step: int) -> str:
    """The filler page at ``step`` for a scenario whose filler seed is ``seed``."""
    rng = _random.Random(seed * 1_000_003 + step)
    topic = TOPICS[int(rng.random() * len(TOPICS))]
    header = RESULT_HEADER.format(query=topic)
    first = OPENERS[int(rng.random() * len(OPENERS))].format(t=topic)
    parts = [first]
    size = count_tokens(header) + count_tokens(first)
    for i in rng.sample(range(len(SENTENCES)), len(SENTENCES)):
        if size >= SIZE:
            break
        sentence = SENTENCES[i].format(t=topic)
        parts.append(sentence)
        size += count_tokens(sentence)
    return header + "\n" + " ".join(parts)


@cache
def average_size() -> float:
    """Mean tokens of a fixed sample of filler pages (a property of the generator, computed once
    per process)."""
    return sum(count_tokens(filler_text(SAMPLE_SEED, i)) for i in range(SAMPLE)) / SAMPLE


def filler_count(target_tokens: int, core_tokens: int) -> int:
    """How many filler pages bring a stream whose core events take ``core_tokens`` to
    ``target_tokens``; a clear error when the core alone is already too long."""
    room = target_tokens - core_tokens
    if room < 0:
        raise ValueError(
            f"target_tokens ({target_tokens}) is below the {core_tokens} tokens the research "
            "turns and questions need; raise target_tokens or lower tasks, hops or siblings"
        )
    return round(room / average_size())
