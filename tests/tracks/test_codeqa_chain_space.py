"""codeqa's call-chain question cannot be guessed from function names and their places.

"Through which functions does A() reach C()?" used to be asked mostly of three-function chains
(82 % of lite's), where only the middle function is unknown: one of ~11 names at lite, and the
first function name seen held 12.7 % of them. Now only chains with at least two functions
between their ends are asked (``questions.MIN_CHAIN``), drawn from call graphs that reach only
a few ranks ahead (``world.CALL_REACH``). Here the world is rebuilt from the seed, every call
path between the ends is enumerated from it (the gold is the one path), the links are read
back from the stream before the question (a memory of the ``calls`` claims answers it), and
every place rule over the function names stated before the question is counted on the unknown
part.
"""

from __future__ import annotations

import random
from collections import Counter
from functools import cache
from itertools import product

from memgym.claims import Claim
from memgym.query import Table, evaluate
from memgym.tracks import get_track, stream_events
from memgym.tracks.codeqa.world import World, build_world
from memgym.types import GoldQuestion

TRACK = get_track("codeqa")
SEEDS = range(300)
"""Lite seeds: about 360 chain questions, generation and reading only (a few seconds)."""
DEPTH = 40
"""Places counted from either end of the names, and offsets from either endpoint's place."""
RULE_CEILING = 0.05
"""The most of the chain questions one place rule may hold (measured 2.5 % on these seeds at
depth 80, 359 questions; 1.8 % on lite seeds 1000-1999; before, with one unknown function, 10.4 %,
the first name seen)."""

Asked = tuple[GoldQuestion, World, list[str], list[Claim], set[str], int]


@cache
def _asked() -> list[Asked]:
    """Each lite chain question with its world, the function names first seen before it (in
    order), the claims read before it, the ids of its scenario's ``calls`` facts, its seed."""
    out: list[Asked] = []
    for seed in SEEDS:
        scenario = TRACK.generate(seed, "lite")
        world = build_world(random.Random(seed), TRACK.params("lite"))
        calls = {f.id for f in scenario.facts if f.attribute == "calls"}
        names: list[str] = []
        claims: list[Claim] = []
        for event in stream_events(scenario):
            question = event.question
            if question is None:
                read = TRACK.read(event.text)
                claims += read
                names += [
                    c.entity
                    for c in read
                    if c.attribute == "module" and not c.entity.isupper() and c.entity not in names
                ]
            elif question.kind == "call_chain":
                out.append((question, world, list(names), list(claims), calls, seed))
    return out


def _paths(world: World, start: str, goal: str) -> list[list[str]]:
    """Every call path from ``start`` to ``goal`` in the world (names)."""
    index = {fn.name: f for f, fn in enumerate(world.functions)}
    found: list[list[str]] = []
    stack = [[index[start]]]
    while stack:
        path = stack.pop()
        if world.functions[path[-1]].name == goal:
            found.append([world.functions[f].name for f in path])
            continue
        stack += [path + [g] for g in world.functions[path[-1]].calls]
    return found


def test_chains_leave_two_functions_unknown_and_the_gold_is_the_one_path() -> None:
    asked = _asked()
    assert len(asked) >= 250, len(asked)  # measured 359 (1.20 per scenario)
    lengths: Counter[int] = Counter()
    for question, world, names, claims, calls, _ in asked:
        spec = question.spec
        chain = str(question.answer).split(" -> ")
        lengths[len(chain)] += 1
        assert (spec["op"], spec["from"], spec["to"]) == ("path", chain[0], chain[-1])
        assert len(chain) >= 4, chain  # two endpoints named, at least two functions unknown
        assert _paths(world, chain[0], chain[-1]) == [chain]
        assert len(question.evidence) == len(chain) - 1 and set(question.evidence) <= calls
        table = Table()
        for claim in claims:
            if claim.attribute == "calls":
                table.add(claim)
        assert evaluate(spec, table) == question.answer  # the calls read so far answer it
        assert set(chain[:-1]) <= set(names)  # defined before it (the end may be only called)
    assert lengths[4] < len(asked), lengths  # longer chains are asked too


def test_most_scenarios_ask_a_chain() -> None:
    scenarios = {seed for *_, seed in _asked()}
    # measured 285 of 300 lite scenarios (15 ask none: their graphs have too few chains)
    assert len(scenarios) >= 0.85 * len(SEEDS), len(scenarios)


def _places(name: str, names: list[str], pool: list[str], ends: tuple[str, str]) -> list[str]:
    """Every place rule that picks ``name``: the i-th name of ``pool`` from either end, or o
    places from either endpoint in ``names``."""
    out = []
    i = pool.index(name)
    if i < DEPTH:
        out.append(f"first{i + 1}")
    if len(pool) - i <= DEPTH:
        out.append(f"last{len(pool) - i}")
    at = names.index(name)
    for label, end in zip("AC", ends, strict=True):
        if end in names and 0 < abs(at - names.index(end)) <= DEPTH:
            out.append(f"{label}{at - names.index(end):+d}")
    return out


def test_no_place_rule_over_the_names_holds_many_chains() -> None:
    hits: Counter[tuple[str, ...]] = Counter()
    asked = _asked()
    pools = []
    for question, _, names, _, _, _ in asked:
        chain = str(question.answer).split(" -> ")
        ends = (chain[0], chain[-1])
        pool = [n for n in names if n not in ends]
        pools.append(len(pool))
        hits.update(product(*(_places(m, names, pool, ends) for m in chain[1:-1])))
    best, count = hits.most_common(1)[0]
    assert count <= RULE_CEILING * len(asked), (best, count, len(asked))
    assert sum(pools) / len(pools) >= 9, pools  # measured 11.6 names to pick from on average
