"""The dialogue track against a memory that keeps values but not whose they are, and picks one
by its position or frequency rank (the rule ``stream_attribute_learned`` learns on other seeds).

The values are read back from the real stream with the track's reader (not the generator's
bookkeeping); every rule of the cheat suite (k-th value and k-th distinct value from either end,
k = 1..DEPTH, k-th commonest or rarest over windows with either tie order) and the commonest
value over the last 10/20/30 events are recomputed here and scored with the real scorer. The
lookups (other customers' profiles, ``memgym.tracks.dialogue.lookups``) spread the gold's place
from both ends, so no rule picks the gold of more than a few per cent of the questions, and no
place at any depth holds more than a few per cent of the golds. Before them the best rule held
19-23 % of the questions; with 0-30 values right after the opening and 0-60 later (trimmed at
random by lite's budget), 5.6 / 4.1 / 4.4 % (lite / standard / hard, the seeds below: the 10th
value from the start at lite, the 18th-28th at standard and hard); with the counts fitted to
the budget and spread over 0-36 and 0-54 values, 4.3 / 3.6 / 3.8 %.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Sequence
from functools import cache

import pytest

from memgym.scoring.reading import answer_names
from memgym.scoring.validators import is_correct
from memgym.simulation.cheats import (
    DEPTH,
    MIN_RULE_HITS,
    POSITION_RULES,
    asked_attribute,
    template_key,
)
from memgym.tokens import count_tokens
from memgym.tracks import get_track, stream_events
from memgym.tracks.dialogue.lookups import lookups
from memgym.tracks.dialogue.world import build_world
from memgym.types import GoldQuestion

TRACK = get_track("dialogue")
Rule = Callable[[Sequence[str]], str]
SEEDS = {"lite": range(200), "standard": range(150), "hard": range(80)}
"""Seeds per tier: about 1,000-1,400 questions each, so a rule's share is measured to about
half a per cent."""
CEILING = 0.05
"""4.5 % until the party grew to 16 (the meal count's support): the best of ~500 rules in sample
swings with the draw; over lite seed blocks 0-199 / 200-399 / 400-599 / 600-799 it is 4.8 / 4.4 /
4.8 / 4.4 % now and was 4.3 / 4.7 / 5.1 / 5.4 % on the generator before."""
SIDES = ("distinct latest first", "distinct first seen first", "from the end", "from the start")
WINDOWS = (10, 20, 30)


def _commonest(values: list[str]) -> str:
    counts = Counter(values)
    return max(counts, key=counts.__getitem__) if counts else ""  # first seen wins ties


Asked = tuple[GoldQuestion, list[str], dict[str, str], tuple[int, ...]]
"""A question, its attribute's values so far, the windowed answers, and the gold's place on
each of ``SIDES`` (1 = the first there; 0: not stated)."""


def _place(question: GoldQuestion, order: Sequence[str], names: list[str]) -> int:
    return next((r for r, v in enumerate(order, 1) if is_correct(question, v, names)), 0)


@cache
def _asked(tier: str, seeds: range) -> list[Asked]:
    out: list[Asked] = []
    for seed in seeds:
        scenario = TRACK.generate(seed, tier)
        names = answer_names(scenario)
        stated: dict[str, list[tuple[int, str]]] = {}
        for index, event in enumerate(stream_events(scenario)):
            question = event.question
            if question is None:
                for claim in TRACK.read(event.text):
                    stated.setdefault(claim.attribute, []).append((index, claim.value))
                continue
            pairs = stated.get(asked_attribute(question.spec), [])
            if not pairs or question.answer is None:
                continue
            values = [v for _, v in pairs]
            windowed = {
                f"commonest_{w}_events": _commonest([v for i, v in pairs if i >= index - w])
                for w in WINDOWS
            }
            orders = (
                list(dict.fromkeys(reversed(values))),
                list(dict.fromkeys(values)),
                values[::-1],
                values,
            )
            places = tuple(_place(question, order, names) for order in orders)
            out.append((question, values, windowed, places))
    return out


def _hit_rates(asked: list[Asked], rules: dict[str, Rule]) -> dict[str, float]:
    hits: Counter[str] = Counter()
    for question, values, windowed, _ in asked:
        answers = {name: rule(values) for name, rule in rules.items()} | windowed
        for name, answer in answers.items():
            if answer and is_correct(question, answer):
                hits[name] += 1
    return {name: hits[name] / len(asked) for name in [*rules, *asked[0][2]]}


@pytest.mark.parametrize("tier", list(SEEDS))
def test_no_rank_rule_picks_the_gold_of_many_questions(tier: str) -> None:
    """Measured: 4.3 / 3.6 / 3.8 % at most (lite / standard / hard: the 22nd distinct value
    from the start, the 20th, the 21st value from the start), 5.6 / 4.1 / 4.4 % on the
    generator before (the 10th, 28th and 18th from the start). Lite's token budget affords
    about 35 values per attribute, hence the most there."""
    asked = _asked(tier, SEEDS[tier])
    assert len(asked) >= 6 * len(SEEDS[tier])
    rates = _hit_rates(asked, dict(POSITION_RULES))
    best = max(rates, key=rates.__getitem__)
    assert rates[best] <= CEILING, (best, rates[best])
    from_start = [name for name in POSITION_RULES if name.startswith("first")]
    assert len(from_start) == 2 * DEPTH and max(rates[name] for name in from_start) <= CEILING
    ties_first_seen = [name for name in POSITION_RULES if name.endswith("^")]
    assert len(ties_first_seen) >= 30 and max(rates[n] for n in ties_first_seen) <= CEILING


@pytest.mark.parametrize("tier", list(SEEDS))
@pytest.mark.parametrize("side", SIDES)
def test_the_gold_place_is_spread_over_the_whole_stream(tier: str, side: str) -> None:
    """The gold's place among its attribute's values (all of them, or the distinct ones),
    counted from either end and to any depth, takes many values, none of them often: a
    checker counting past ``DEPTH`` finds no pile either. The chores' changes of other
    customers' values (``memgym.tracks.dialogue.chores``) spread the golds over twice the
    places, and past ``DEPTH`` with them, so no place may hold 3 %. Measured with the chores:
    100-136 places at standard and hard, at most 2.7 / 2.3 % of the golds each, 37-59 % past
    ``DEPTH`` (68 % at hard from the end since its chores grow to 2,000 by 100k tokens); lite
    at 10k tokens (its budget held few chores) had at most a third past ``DEPTH``; before the
    chores: 52-66 places, at most 4.3 / 3.6 / 3.7 % (lite / standard / hard)."""
    asked = _asked(tier, SEEDS[tier])
    places = Counter(place[SIDES.index(side)] for *_, place in asked)
    assert 0 not in places  # the gold is always one of the values stated
    assert len(places) >= 45, sorted(places)
    top, count = places.most_common(1)[0]
    assert count <= CEILING * len(asked), (top, count, len(asked))
    beyond = sum(n for place, n in places.items() if place > DEPTH) / len(asked)
    # spread wider by the chores: many more places, none holding a pile
    assert len(places) >= 90 and count <= 0.03 * len(asked), (len(places), top, count)
    assert beyond <= 0.85, beyond  # hard 0.74-0.82 since issue #66 (0.72 before): its
    # profile-shaped document chores change friends' values too, so more values follow the gold


@pytest.mark.parametrize("tier", list(SEEDS))
def test_a_rule_learned_per_template_on_other_seeds_rarely_holds(tier: str) -> None:
    """What ``stream_attribute_learned`` does, with six times its training seeds: per question
    template, the rule that held the gold most often on other seeds (over every template when
    a template's best held fewer than ``MIN_RULE_HITS`` times), scored on this tier's seeds.
    Measured: 3.1 / 2.6 / 2.5 % (lite / standard / hard); before: 4.3 / 3.0 / 3.6 %."""
    train = _asked(tier, range(10_000, 10_060))
    learned: dict[str, Counter[str]] = {"*": Counter()}
    for question, values, _, _ in train:
        key = template_key(question.spec, False)
        for name, rule in POSITION_RULES.items():
            answer = rule(values)
            if answer and is_correct(question, answer):
                learned.setdefault(key, Counter())[name] += 1
                learned["*"][name] += 1
    asked = _asked(tier, SEEDS[tier])
    hits = 0
    for question, values, _, _ in asked:
        rules = learned.get(template_key(question.spec, False))
        if not rules or rules.most_common(1)[0][1] < MIN_RULE_HITS:
            rules = learned["*"]
        answer = POSITION_RULES[rules.most_common(1)[0][0]](values)
        hits += bool(answer) and is_correct(question, answer)
    assert hits / len(asked) <= 0.04, (hits, len(asked))


def test_lookup_claims_are_what_the_reader_reads() -> None:
    """The generator takes a lookup's claims from its records instead of parsing the text: they
    must be exactly the reader's, or the guards would judge another stream."""
    checked = 0
    for seed in range(20):
        rng = random.Random(seed)
        world = build_world(rng, companions=6, colleagues=3, corrections=2, updates=2)
        for _, text, tokens, claims in lookups(rng, world, budget=10**6, questions=12):
            assert TRACK.read(text) == claims
            assert count_tokens(text) == tokens
            checked += len(claims)
    assert checked > 1000
