"""The dialogue's token plan: counts summed from parts equal ``count_tokens`` of the texts."""

from __future__ import annotations

import itertools
import random

from memgym.tokens import count_tokens
from memgym.tracks.dialogue import filler, render
from memgym.tracks.dialogue.catalogue import LEGS, build_catalogue, colleague_catalogue, decoys
from memgym.tracks.dialogue.world import build_world


def test_every_possible_turn_counts_as_the_sum_of_its_parts() -> None:
    topics = filler._TOPIC_TOKENS
    for topic, line, extra in itertools.product(
        filler.TOPICS, filler.USER_LINES, ("", *filler.USER_EXTRAS)
    ):
        text = f"User: {line} {extra}" if extra else f"User: {line}"
        expected = count_tokens(text.replace("{t}", topic))
        summed = filler._USER_TOKENS[line] + topics[topic] + filler._EXTRA_TOKENS[extra]
        assert summed == expected, text
    for topic, line, extra in itertools.product(
        filler.TOPICS, filler.AGENT_LINES, ("", *filler.AGENT_EXTRAS)
    ):
        text = f"Agent: {line} {extra}" if extra else f"Agent: {line}"
        expected = count_tokens(text.replace("{t}", topic))
        named = topics[topic] if filler._AGENT_NAMES_TOPIC[line] else 0
        assert filler._AGENT_TOKENS[line] + named + filler._EXTRA_TOKENS[extra] == expected, text


def test_exchange_tokens_matches_the_text_it_would_build() -> None:
    rng = random.Random(7)
    for _ in range(300):
        seed, k = rng.randrange(10**6), rng.randrange(5000)
        assert filler.exchange_tokens(seed, k) == count_tokens(filler.exchange(seed, k))


def _plan_by_counting_texts(seed: int, need: int) -> int:
    """The plan recomputed the plain way: count each exchange's text."""
    total, k = 0, 0
    while k < filler.EXACT_WALK:
        size = count_tokens(filler.exchange(seed, k))
        if total + size >= need:
            return k + 1 if total + size - need < need - total else k
        total += size
        k += 1
    return k + round((need - total) / (total / k))


def test_plan_count_equals_counting_every_text() -> None:
    for seed, need in ((0, 500), (3, 7_000), (11, 25_000), (4, 90_000)):
        assert filler.plan_count(seed, need) == _plan_by_counting_texts(seed, need)


def test_search_listings_count_as_the_sum_of_their_parts() -> None:
    for seed in range(12):
        rng = random.Random(seed)
        world = build_world(rng, 4, 2, 2, 2)
        used: set[str] = set()
        decoy = decoys(rng, world)
        size = 32 + seed
        for booking, leg in enumerate(LEGS):
            catalogue = build_catalogue(rng, world, leg, f"S{seed}{booking}", size, used, decoy)
            text, _ = render.search(catalogue, booking)
            assert render.search_tokens(catalogue, booking) == count_tokens(text)
        side = colleague_catalogue(rng, world.colleagues[0], "S9", size // 2, used)
        text = render.colleague_search(rng, side, world.colleagues[0])
        assert render.colleague_search_tokens(text, side) == count_tokens(text)


def test_drawn_parts_are_those_of_random_choice_on_a_text_seed() -> None:
    for seed, k in ((0, 0), (5, 11), (123456, 4999), (-3, 2)):
        reference = random.Random(f"dialogue-filler|{seed}|{k}")
        state = reference.getstate()
        assert filler._seeded(seed, k).getstate() == state
        choice, draw = reference.choice, reference.random
        topic, user = choice(filler.TOPICS), choice(filler.USER_LINES)
        user_extra = choice(filler.USER_EXTRAS) if draw() < 0.5 else ""
        agent = choice(filler.AGENT_LINES)
        agent_extra = choice(filler.AGENT_EXTRAS) if draw() < 0.5 else ""
        expected = (topic, user, user_extra, agent, agent_extra)
        assert filler._parts(filler._seeded(seed, k)) == expected


def test_inlined_sizes_draw_as_the_exchanges_do() -> None:
    for seed in (0, 9, -4, 123_456_789):
        sizes = filler._sizes(seed)
        assert [next(sizes) for _ in range(400)] == [
            filler.exchange_tokens(seed, k) for k in range(400)
        ]
