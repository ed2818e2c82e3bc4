"""Off-topic chat between the customer and the agent, generated on demand, plus its length plan.

Filler exchange ``k`` of a scenario is a pure function of (seed, k): it draws from word lists
that hold no name, place, date, digit or label of the world, so it states nothing the reader
could turn into a claim. ``plan_count`` picks how many exchanges bring the stream to its token
target: it counts the first exchanges exactly and extrapolates from their mean beyond
``EXACT_WALK`` (at that size the mean is steady to well under one percent).
"""

from __future__ import annotations

import random as _random
from collections.abc import Callable, Iterator
from hashlib import sha512

from memgym.tokens import count_tokens
from memgym.tracks.seeding import C_SEED, reseeded, thread_generator

EXACT_WALK = 1500
"""Filler exchanges counted one by one when planning; beyond this, the running mean is used."""

TOPICS = (
    "the weather", "my garden", "a podcast I like", "the new bakery nearby", "my neighbour's dog",
    "a crossword I'm stuck on", "board games", "my cooking experiments", "the local football club",
    "a documentary about whales", "my bike commute", "the book club", "a jigsaw puzzle",
    "knitting", "the street market", "birdwatching", "a noisy renovation upstairs",
    "my sourdough starter", "the choir rehearsals", "a mystery novel", "my tomato plants",
    "the cat next door", "an old film I rewatched", "learning the ukulele", "my running shoes",
    "the power cut last night", "a pottery class", "the school bake sale", "my houseplants",
    "a stubborn leaky tap", "the quiz night at the pub", "my grandmother's recipes",
)  # fmt: skip
USER_LINES = (
    "By the way, have you been following {t} lately?",
    "Sorry, my mind keeps wandering to {t}.",
    "You won't believe what happened with {t} this week.",
    "I keep meaning to tell someone about {t}.",
    "Random question: what do you think about {t}?",
    "My sister keeps teasing me about {t}.",
    "Honestly {t} has been the highlight of my week.",
    "I spent far too long thinking about {t} this morning.",
    "Do you ever get distracted by things like {t}?",
    "It is raining again here, so naturally I'm thinking about {t}.",
    "While we wait, can I tell you about {t}?",
    "My partner says I should stop going on about {t}.",
    "Quick tangent, but {t} is driving me a little crazy.",
    "I was up late last night because of {t}.",
    "Has anyone else mentioned {t} to you today?",
    "I promised a friend I would ask someone about {t}.",
)
USER_EXTRAS = (
    "It's a long story, but a funny one.",
    "Anyway, it made me laugh.",
    "I suppose everyone has a hobby like that.",
    "Not important, just chatting while you work.",
    "I'll spare you the details.",
    "My friends say I talk about it too much.",
    "It sounds silly when I say it out loud.",
    "Maybe I need a holiday more than I thought.",
    "Nothing to do with the trip, of course.",
    "I know, I know, focus.",
    "Sorry for rambling a bit.",
    "It has been a strange sort of week.",
)
AGENT_LINES = (
    "That sounds lovely, thanks for sharing.",
    "Ha, I can imagine. Happy to chat while the system loads.",
    "I have heard good things about {t}, though I'm no expert.",
    "Sounds like a nice distraction from travel planning.",
    "Always nice to hear about {t}.",
    "I hope it all works out well.",
    "Good to know, and no rush on anything.",
    "That made me smile, thank you.",
    "Oh, {t} sounds like quite the adventure.",
    "I had no idea, that's fascinating.",
    "You're not the first person to bring up {t} with me.",
    "That is a good story, honestly.",
    "I would have done exactly the same.",
    "Well, that explains a lot.",
)
AGENT_EXTRAS = (
    "Let me know whenever you want to continue.",
    "Take your time, I'm here.",
    "Nothing on your booking changes because of that.",
    "I'll keep the session open for you.",
    "Whenever you're ready, we can pick up where we left off.",
    "No pressure at all.",
)


def _below(getrandbits: Callable[[int], int], n: int) -> int:
    """``random.Random.choice``'s index into a sequence of ``n``: the same ``getrandbits``
    draws (``n.bit_length()`` bits, redrawn while >= n), without its per-call overhead;
    ``tests/tracks/test_dialogue_token_plan.py`` checks the parts against ``choice``'s."""
    k = n.bit_length()
    r = getrandbits(k)
    while r >= n:
        r = getrandbits(k)
    return r


def _parts(rng: _random.Random) -> tuple[str, str, str, str, str]:
    """Topic, user line, user extra, agent line, agent extra ("" when none), drawn in order."""
    bits, random = rng.getrandbits, rng.random
    topic = TOPICS[_below(bits, len(TOPICS))]
    user = USER_LINES[_below(bits, len(USER_LINES))]
    user_extra = USER_EXTRAS[_below(bits, len(USER_EXTRAS))] if random() < 0.5 else ""
    agent = AGENT_LINES[_below(bits, len(AGENT_LINES))]
    agent_extra = AGENT_EXTRAS[_below(bits, len(AGENT_EXTRAS))] if random() < 0.5 else ""
    return topic, user, user_extra, agent, agent_extra


def _seeded(seed: int, k: int) -> _random.Random:
    """A generator in the state of ``random.Random(f"dialogue-filler|{seed}|{k}")``."""
    return reseeded(f"dialogue-filler|{seed}|{k}")


def exchange(seed: int, k: int) -> str:
    """Filler exchange ``k`` of the scenario drawn from ``seed``: one user and one agent turn."""
    topic, user, user_extra, agent, agent_extra = _parts(_seeded(seed, k))
    if user_extra:
        user = f"{user} {user_extra}"
    if agent_extra:
        agent = f"{agent} {agent_extra}"
    return f"User: {user}\nAgent: {agent}".replace("{t}", topic)


def _tokens_without_topic(text: str) -> int:
    return count_tokens(text.replace("{t}", ""))


_TOPIC_TOKENS = {t: count_tokens(t) for t in TOPICS}
_USER_TOKENS = {line: _tokens_without_topic("User: " + line) for line in USER_LINES}
_AGENT_TOKENS = {line: _tokens_without_topic("Agent: " + line) for line in AGENT_LINES}
_EXTRA_TOKENS = {e: count_tokens(e) for e in ("", *USER_EXTRAS, *AGENT_EXTRAS)}
_AGENT_NAMES_TOPIC = {line: "{t}" in line for line in AGENT_LINES}
"""Per-part token counts: an exchange's count is the sum of its parts' (its pieces never span
two parts, and every user line names the topic once; ``tests/tracks/test_dialogue_token_plan.py``
checks the sum against ``count_tokens`` of every exchange text)."""


def exchange_tokens(seed: int, k: int) -> int:
    """``count_tokens(exchange(seed, k))``, from the drawn parts without building the text."""
    topic, user, user_extra, agent, agent_extra = _parts(_seeded(seed, k))
    topic_tokens = _TOPIC_TOKENS[topic]
    return (
        _USER_TOKENS[user]
        + topic_tokens
        + _EXTRA_TOKENS[user_extra]
        + _AGENT_TOKENS[agent]
        + (topic_tokens if _AGENT_NAMES_TOPIC[agent] else 0)
        + _EXTRA_TOKENS[agent_extra]
    )


_SIZES = (
    tuple(_TOPIC_TOKENS[t] for t in TOPICS),
    tuple(_USER_TOKENS[line] for line in USER_LINES),
    tuple(_EXTRA_TOKENS[e] for e in USER_EXTRAS),
    tuple(_AGENT_TOKENS[line] for line in AGENT_LINES),
    tuple(_AGENT_NAMES_TOPIC[line] for line in AGENT_LINES),
    tuple(_EXTRA_TOKENS[e] for e in AGENT_EXTRAS),
)
"""The per-part counts by the index drawn (``_parts``' order), for ``_sizes``."""
assert _EXTRA_TOKENS[""] == 0  # a missing extra adds nothing


def _sizes(seed: int) -> Iterator[int]:
    """``exchange_tokens(seed, k)`` for k = 0, 1, ...: ``_seeded`` and ``_parts`` inlined (the
    C seed called with ``text_key``, the same ``getrandbits`` and ``random`` draws in the same
    order, each part's count read by the index drawn), 0.85 µs less per exchange (4.4 against
    5.3 µs, of which 3.2 µs are the C generator's own seeding)."""
    rng = thread_generator()
    bits, random = rng.getrandbits, rng.random
    topics, users, user_extras, agents, agent_names, agent_extras = _SIZES
    nt, nu, nue, na, nae = map(len, (topics, users, user_extras, agents, agent_extras))
    bt, bu, bue, ba, bae = (n.bit_length() for n in (nt, nu, nue, na, nae))
    prefix = f"dialogue-filler|{seed}|".encode()
    from_bytes, seed_with = int.from_bytes, C_SEED
    k = 0
    while True:
        data = prefix + b"%d" % k  # text_key, inlined
        seed_with(rng, from_bytes(data + sha512(data).digest(), "big"))
        k += 1
        t = bits(bt)
        while t >= nt:
            t = bits(bt)
        u = bits(bu)
        while u >= nu:
            u = bits(bu)
        size = topics[t] + users[u]
        if random() < 0.5:
            e = bits(bue)
            while e >= nue:
                e = bits(bue)
            size += user_extras[e]
        a = bits(ba)
        while a >= na:
            a = bits(ba)
        size += agents[a] + topics[t] if agent_names[a] else agents[a]
        if random() < 0.5:
            e = bits(bae)
            while e >= nae:
                e = bits(bae)
            size += agent_extras[e]
        yield size


def plan_count(seed: int, need: int) -> int:
    """How many filler exchanges add up closest to ``need`` tokens."""
    total = 0
    for k, size in zip(range(EXACT_WALK), _sizes(seed)):
        if total + size >= need:
            return k + 1 if total + size - need < need - total else k
        total += size
    return EXACT_WALK + round((need - total) / (total / EXACT_WALK))
