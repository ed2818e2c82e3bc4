"""codeqa question drawing's shortcuts equal the plain computation: cells read per field
(``cells.FieldCells``) against whole folded tables, and count golds taken from a draft's
evidence against ``memgym.query.evaluate``."""

from __future__ import annotations

import random

import pytest

from memgym.claims import Claim
from memgym.query import Table, evaluate
from memgym.tracks import get_track
from memgym.tracks.codeqa.cells import CellsAt
from memgym.tracks.codeqa.questions import Asker, _counted
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
        assert asker.table(p).rows == table.rows  # the incremental tables agree too
    assert changed  # changed values (cells with a previous value) were compared


@pytest.mark.parametrize(("seed", "tier"), CASES)
def test_counted_is_the_count_gold(seed: int, tier: str) -> None:
    asker = _asker(seed, tier)
    asker.within = True  # positions anywhere in what is left, early ones included
    counts = set()
    for _ in range(300):
        draft = asker.filter_count()
        if draft is None:
            continue
        gold = evaluate(draft.spec, asker.table(draft.p))
        assert str(_counted(draft)) == gold, (seed, tier, draft.spec, draft.p)
        counts.add((gold, len(draft.spec["where"])))
    assert len({c for c, _ in counts}) > 1 and {w for _, w in counts} == {1, 2}
