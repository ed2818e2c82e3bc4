"""codeqa question drawing's shortcuts equal the plain computation: cells read per field
(``cells.FieldCells``) against whole folded tables, and count golds taken from a draft's
evidence against ``memgym.query.evaluate``."""

from __future__ import annotations

import random
import statistics
from collections import Counter

import pytest

from memgym.claims import Claim, format_number, parse_number
from memgym.query import Table, evaluate
from memgym.tracks import get_track
from memgym.tracks.codeqa.cells import CellsAt
from memgym.tracks.codeqa.questions import BLIND_WINDOWS, Asker, _counted, _median
from memgym.tracks.codeqa.stream import order
from memgym.tracks.codeqa.world import build_world

CASES = [(seed, tier) for tier in ("lite", "standard", "hard") for seed in range(4)]


def _asker(seed: int, tier: str) -> Asker:
    params = get_track("codeqa").params(tier)
    rng = random.Random(seed)
    world = build_world(rng, params)
    return Asker(rng, world, order(rng, world, params), end=False)


def _folded(asker: Asker, p: int) -> Table:
    """Every fact stated in the first ``p`` items, added one by one in stream order."""
    table = Table()
    for item in asker.items[:p]:
        for fact in item.facts:
            table.add(Claim(fact.entity, fact.attribute, fact.text))
    return table


@pytest.mark.parametrize(("seed", "tier"), CASES)
def test_cells_at_every_position_equal_the_folded_table(seed: int, tier: str) -> None:
    asker = _asker(seed, tier)
    fields = list(asker.history) + [("NO_SUCH_NAME", "value"), (asker.world.functions[0].name, "x")]
    changed = 0
    for p in range(asker.n + 1):
        table, view = _folded(asker, p), CellsAt(asker.cells, p)
        for entity, attribute in fields:
            expected, got = table.get(entity, attribute), view.get(entity, attribute)
            assert got == expected, (seed, tier, p, entity, attribute)
            changed += expected is not None and expected.previous is not None
        for attributes in ({"raises"}, {"module", "raises"}, {"value"}):
            projected = asker.cells.table(p, attributes).rows
            assert projected == {
                entity: kept
                for entity, row in table.rows.items()
                if (kept := {a: c for a, c in row.items() if a in attributes})
            }
    assert changed  # changed values (cells with a previous value) were compared


@pytest.mark.parametrize(("seed", "tier"), CASES)
def test_counted_is_the_count_gold(seed: int, tier: str) -> None:
    asker = _asker(seed, tier)
    asker.within = True  # positions anywhere in what is left, early ones included
    counts = set()
    for k in range(300):  # every count of the support in turn
        asker.count_target = asker.count_targets[k % len(asker.count_targets)]
        draft = asker.filter_count()
        if draft is None:
            continue
        gold = evaluate(draft.spec, _folded(asker, draft.p))
        assert str(_counted(draft)) == gold, (seed, tier, draft.spec, draft.p)
        counts.add((gold, len(draft.spec["where"])))
    # one condition: a module-scoped count (answering 1-4) is no longer asked
    assert len({c for c, _ in counts}) > 3 and {w for _, w in counts} == {1}


def _plain_typical(texts: list[str]) -> str | None:
    """The stats memory's value by its definition: the median of numbers, else the commonest."""
    if not texts:
        return None
    numbers = [parse_number(t) for t in texts]
    if any(n is None for n in numbers):
        return Counter(texts).most_common(1)[0][0]
    mid = statistics.median([n for n in numbers if n is not None])
    return format_number(round(mid) if all("." not in t for t in texts) else mid)


def _plain_blind(stated: list[tuple[int, str]], p: int) -> frozenset[str]:
    texts = [t for pos, t in stated if pos < p]
    picks = set(texts[:1] + texts[-2:])
    if texts:
        picks.add(Counter(texts).most_common(1)[0][0])
    for window in BLIND_WINDOWS:
        recent = [t for pos, t in stated if p - window <= pos < p]
        if recent:
            picks |= {recent[0], Counter(recent).most_common(1)[0][0]}
    return frozenset(picks)


def test_typical_and_blind_values_equal_their_definitions() -> None:
    floats = 0
    for seed, tier in CASES:
        asker = _asker(seed, tier)
        stated: dict[str, list[tuple[int, str]]] = {}
        for pos, item in enumerate(asker.items):
            for fact in item.facts:
                stated.setdefault(fact.attribute, []).append((pos, fact.text))
        for attribute, facts in [*stated.items(), ("", [])]:
            for p in range(0, asker.n + 1, 3):
                texts = [t for pos, t in facts if pos < p]
                assert asker._typical(attribute, p) == _plain_typical(texts), (seed, attribute, p)
                assert asker._blind(attribute, p) == _plain_blind(facts, p), (seed, attribute, p)
                floats += attribute == "value" and any("." in t for t in texts)
    assert floats  # decimal values were among the medians compared


def test_median_is_statistics_median() -> None:
    rng = random.Random(11)
    for size in range(1, 60):
        numbers = [
            rng.choice((float(rng.randrange(-50, 50)), rng.uniform(-9, 9))) for _ in range(size)
        ]
        assert _median(numbers) == statistics.median(numbers)
