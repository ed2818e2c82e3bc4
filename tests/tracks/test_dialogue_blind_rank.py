"""The dialogue track against a memory that keeps values but not whose they are, and picks one
by its position or frequency rank (the rule ``stream_attribute_learned`` learns on other seeds).

The values are read back from the real stream with the track's reader (not the generator's
bookkeeping); every rank rule of the cheat suite, the same rules counted from the start of the
stream, and the commonest value over the last 10/20/30 events are recomputed here and scored
with the real scorer. The lookups (other customers' profiles, ``memgym.tracks.dialogue.lookups``)
spread the gold's rank, so no rule picks the gold of more than a few questions. Before them the
best rule held 19-23 % of the questions (k-th last distinct, k-th from the start).
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Sequence

import pytest

from memgym.scoring.reading import answer_names
from memgym.scoring.validators import is_correct
from memgym.simulation.cheats import POSITION_RULES, asked_attribute
from memgym.tokens import count_tokens
from memgym.tracks import get_track, stream_events
from memgym.tracks.dialogue.lookups import lookups
from memgym.tracks.dialogue.world import build_world
from memgym.types import GoldQuestion

TRACK = get_track("dialogue")
Rule = Callable[[Sequence[str]], str]


def _kth_first(k: int) -> Rule:
    return lambda values: values[k - 1] if len(values) >= k else ""


def _kth_first_distinct(k: int) -> Rule:
    def rule(values: Sequence[str]) -> str:
        seen = list(dict.fromkeys(values))
        return seen[k - 1] if len(seen) >= k else ""

    return rule


FROM_START: dict[str, Rule] = {
    **{f"first{k}": _kth_first(k) for k in range(2, 13)},
    **{f"first_distinct{k}": _kth_first_distinct(k) for k in range(2, 13)},
}
WINDOWS = (10, 20, 30)


def _commonest(values: list[str]) -> str:
    counts = Counter(values)
    return max(counts, key=counts.__getitem__) if counts else ""  # first seen wins ties


Asked = tuple[GoldQuestion, list[str], dict[str, str], int]
"""A question, its attribute's values so far, the windowed answers, the gold's distinct rank."""


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
            latest_first = list(dict.fromkeys(reversed(values)))
            rank = next(
                (r for r, v in enumerate(latest_first, 1) if is_correct(question, v, names)), 0
            )
            out.append((question, values, windowed, rank))
    return out


def _hit_rates(asked: list[Asked], rules: dict[str, Rule]) -> dict[str, float]:
    hits: Counter[str] = Counter()
    for question, values, windowed, _ in asked:
        answers = {name: rule(values) for name, rule in rules.items()} | windowed
        for name, answer in answers.items():
            if answer and is_correct(question, answer):
                hits[name] += 1
    return {name: hits[name] / len(asked) for name in [*rules, *asked[0][2]]}


@pytest.mark.parametrize(("tier", "seeds"), [("lite", range(60)), ("hard", range(30))])
def test_no_rank_rule_picks_the_gold_of_many_questions(tier: str, seeds: range) -> None:
    asked = _asked(tier, seeds)
    assert len(asked) >= 6 * len(seeds)
    suite = _hit_rates(asked, dict(POSITION_RULES))
    best = max(suite, key=suite.__getitem__)
    assert suite[best] <= 0.06, (best, suite[best])
    others = _hit_rates(asked, FROM_START)
    best = max(others, key=others.__getitem__)
    assert others[best] <= 0.11, (best, others[best])


def test_the_gold_rank_is_spread_widely() -> None:
    """Over many questions the gold's rank among its attribute's distinct values (latest
    first) takes many values, none of them often: the number of values stated after the gold
    is drawn from a wide range, none included."""
    asked = _asked("lite", range(60))
    ranks = Counter(rank for *_, rank in asked)
    assert 0 not in ranks  # the gold is always one of the values stated
    assert len(ranks) >= 40, sorted(ranks)
    top, count = ranks.most_common(1)[0]
    assert count <= 0.06 * len(asked), (top, count, len(asked))


def test_lookup_claims_are_what_the_reader_reads() -> None:
    """The generator takes a lookup's claims from its records instead of parsing the text: they
    must be exactly the reader's, or the guards would judge another stream."""
    checked = 0
    for seed in range(20):
        rng = random.Random(seed)
        world = build_world(rng, companions=6, colleagues=3, corrections=2, updates=2)
        for _, text, tokens, claims in lookups(rng, world, budget=10**6):
            assert TRACK.read(text) == claims
            assert count_tokens(text) == tokens
            checked += len(claims)
    assert checked > 1000
