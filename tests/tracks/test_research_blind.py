"""No research question is answerable from the values of its field alone: recomputed from the
stream with the track's own reader, whoever each value is about."""

from __future__ import annotations

from collections import Counter

import pytest

from memgym.simulation.cheats import POSITION_RULES, sightings
from memgym.tracks import get_track
from memgym.tracks.research.blind import MIN_AFTER

TRACK = get_track("research")


def _sightings(seed: int, tier: str, **overrides: str) -> list[tuple[str, list[str]]]:
    """Each question's gold and the asked field's values stated before it, about anyone, read
    back from the stream's text by the track's reader (not the generator's bookkeeping)."""
    scenario = TRACK.generate(seed, tier, **overrides)
    return [(str(q.answer), list(s.attribute_values)) for q, s in sightings(TRACK, scenario)]


@pytest.mark.parametrize(("seed", "tier"), [(0, "lite"), (4, "lite"), (1, "standard"), (2, "hard")])
@pytest.mark.parametrize("placement", ["interleaved", "end"])
def test_blind_values_never_give_the_gold(seed: int, tier: str, placement: str) -> None:
    for gold, stated in _sightings(seed, tier, question_placement=placement):
        assert gold in stated, gold  # the gold was stated, so memory can answer
        last_gold = max(i for i, v in enumerate(stated) if v == gold)
        assert len(stated) - 1 - last_gold >= MIN_AFTER, gold
        counts = Counter(stated)
        assert counts[gold] < max(n for v, n in counts.items() if v != gold), gold
        assert stated[-1] != gold and stated[-2] != gold, gold


@pytest.mark.parametrize(
    ("tier", "seeds", "ceiling"), [("lite", 120, 0.045), ("standard", 60, 0.045)]
)
def test_no_position_rule_finds_the_gold_often(tier: str, seeds: int, ceiling: float) -> None:
    """The gold's rank among the field's values is spread from either end (recency, distinct
    recency, first statements, first distinct values) and by how often it was stated (commonest
    or rarest over the last 5-50 or all values, either tie order): no rule of the entity-blind
    cheats picks it for more than ``ceiling`` of the questions (before the spread from the start
    and the spared restatements, the rarest value first seen picked 17 % at lite), and its
    distinct rank from either end takes many values, none of them often."""
    hits: Counter[str] = Counter()
    ranks: Counter[int] = Counter()
    starts: Counter[int] = Counter()
    questions = 0
    for seed in range(seeds):
        for gold, stated in _sightings(10_000 + seed, tier):
            questions += 1
            ranks[list(dict.fromkeys(reversed(stated))).index(gold) + 1] += 1
            starts[list(dict.fromkeys(stated)).index(gold) + 1] += 1
            for name, rule in POSITION_RULES.items():
                hits[name] += rule(stated) == gold
    worst, count = hits.most_common(1)[0]
    assert count / questions <= ceiling, (worst, count, questions)
    for seen in (ranks, starts):
        assert len(seen) >= 25, sorted(seen.items())
        assert max(seen.values()) / questions <= 0.08, sorted(seen.items())


def test_the_guard_is_deterministic() -> None:
    assert TRACK.generate(9, "standard").hash == TRACK.generate(9, "standard").hash
