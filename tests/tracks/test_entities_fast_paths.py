"""The entities generator's fast paths give what the plain definitions they replace give.

Each shortcut taken for speed (texts written from integers, documents filled by ``%``, facts
built in a batch, the guard's per-field index and its twin shortcut) is checked here against the
straightforward computation, recomputed in the test, over real worlds and timelines.
"""

from __future__ import annotations

import random
import statistics
from collections import Counter

import pytest

from memgym.claims import format_value, parse_number
from memgym.collector import collector_paused
from memgym.query import Table
from memgym.tracks.entities import track as entities_track
from memgym.tracks.entities.draft import Draft
from memgym.tracks.entities.fast import build_facts
from memgym.tracks.entities.guard import QUESTION_GAP, Guard, _commonest, _median, statements
from memgym.tracks.entities.params import resolve
from memgym.tracks.entities.render import VOICES, percent, wording
from memgym.tracks.entities.templates import TEMPLATE_NAMES, TEMPLATES
from memgym.tracks.entities.values import decimal_text
from memgym.types import Fact


@pytest.mark.parametrize("decimals", [0, 1, 2])
def test_decimal_text_is_the_formatted_float(decimals: int) -> None:
    scale = 10**decimals
    ks = [*range(-3000, 3000), *random.Random(decimals).sample(range(-(10**9), 10**9), 3000)]
    for k in ks:
        assert decimal_text(k, decimals) == f"{k / scale:.2f}".rstrip("0").rstrip(".")


@pytest.mark.parametrize("template", TEMPLATE_NAMES)
def test_prepared_documents_fill_as_str_format_does(template: str) -> None:
    w = wording(TEMPLATES[template])
    args = ["Vantor 100% Labs", *(f"v{i} {{x}} %s" for i in range(len(w.lines)))]
    patterns = [w.kv_doc, *(body for _, body in w.bodies)]
    assert len(patterns) == 1 + len(w.orders) * VOICES
    for pattern in patterns:
        assert pattern.fill(args) == pattern.source.format(*args)
    assert percent("{0}: {2}% of {1}").fill(["a", "b", "c"]) == "a: c% of b"
    fields = list(range(len(w.lines)))
    assert [in_order(fields) for in_order, _ in w.bodies] == [
        order for order in w.orders for _ in range(VOICES)
    ]


def test_batch_built_facts_are_validated_facts() -> None:
    rows = [
        {"id": "", "entity": "A", "attribute": "x", "value": v, "step": -1}
        for v in (1, 2.5, "text", [1.0, 2.0])
    ]
    built = build_facts([dict(r) for r in rows])
    for fact, row in zip(built, rows):
        validated = Fact.model_validate(row)
        assert fact == validated
        assert fact.model_dump_json() == validated.model_dump_json()
        assert fact.model_fields_set == validated.model_fields_set
        if not isinstance(row["value"], list):  # a list value makes no fact hashable
            assert hash(fact) == hash(validated)


def test_the_collector_is_resumed_after_generation() -> None:
    import gc

    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()  # left as it was found
    finally:
        gc.enable()


def test_commonest_and_median_match_their_definitions() -> None:
    rng = random.Random(3)
    for _ in range(300):
        texts = [str(rng.randrange(12)) for _ in range(rng.randrange(1, 20))]
        counts = Counter(texts)
        assert _commonest(texts) == max(counts, key=counts.__getitem__)
        numbers = [rng.uniform(-5, 5) for _ in range(rng.randrange(1, 9))]
        assert _median(numbers) == statistics.median(numbers)


def _plan(seed: int, tier: str, **overrides: object):  # type: ignore[no-untyped-def]
    p = resolve(tier, dict(overrides))
    return entities_track.plan_world(random.Random(seed), p)


WORLDS = [
    (seed, tier, overrides)
    for seed, tier in ((0, "lite"), (1, "standard"), (2, "hard"))
    for overrides in ({}, {"corrections": 2, "updates": 12})
]


@pytest.mark.parametrize(("seed", "tier", "overrides"), WORLDS)
def test_field_statements_are_the_sorted_statements(seed, tier, overrides) -> None:
    plan = _plan(seed, tier, **overrides)
    world, timeline = plan.world, plan.timeline
    assert all(
        [fact.value for fact in row] == values for row, values in zip(world.facts, world.values)
    )
    for f in range(len(world.layout.names)):
        stated = [
            (timeline.doc_pos[e], world.texts[e][f], e)
            for e in range(len(world.names))
            if world.hidden.get(e) != f
        ]
        for c, change in enumerate(world.changes):
            e = change.entity
            if change.field == f:
                stated.append((timeline.change_pos[c], change.new_text, e))
            elif f in change.restate and world.hidden.get(e) != f:
                stated.append((timeline.change_pos[c], world.texts[e][f], e))
        stated.sort(key=lambda item: item[0])
        st = statements(world, timeline, f)
        assert st.positions == [pos for pos, _, _ in stated]
        assert st.texts == [text for _, text, _ in stated]
        assert st.entities == [e for _, _, e in stated]
        if st.numbers is not None:  # number fields: the values are what the texts say
            assert st.numbers == [parse_number(text) for text in st.texts]
            assert all(format_value(v) == t for v, t in zip(st.numbers, st.texts))  # type: ignore[arg-type]


@pytest.mark.parametrize(("seed", "tier", "overrides"), WORLDS)
def test_the_twin_check_is_the_scan_over_earlier_statements(seed, tier, overrides) -> None:
    plan = _plan(seed, tier, **overrides)
    world, timeline = plan.world, plan.timeline
    guard = Guard(world, timeline)
    rng = random.Random(seed)
    kinds = world.layout.kinds
    checked = twins = 0
    for f in range(len(world.layout.names)):
        if kinds[f] == "series":
            continue
        st = statements(world, timeline, f)
        for _ in range(40):
            i = rng.randrange(len(st.texts))
            owner = rng.randrange(len(world.names))
            p = rng.randrange(len(timeline.items) + 1)
            gold = st.texts[i]
            number = parse_number(gold) if kinds[f] in ("int", "float") else None
            tolerance = rng.choice([0.0, 0.01, 0.05])
            answer_type = {"int": "int", "float": "float"}.get(kinds[f], "text")
            draft = Draft(
                p, "retrieval", {}, "", [world.facts[owner][f]], answer_type, tolerance, Table()
            )  # type: ignore[arg-type]
            if number is None or answer_type == "text":
                expected = any(
                    pos < p and e != owner and text == gold
                    for pos, text, e in zip(st.positions, st.texts, st.entities)
                )
            else:
                band = max(tolerance * abs(number), 0.005)
                expected = any(
                    pos < p and e != owner and number - band <= float(text) <= number + band
                    for pos, text, e in zip(st.positions, st.texts, st.entities)
                )
            assert guard.twin(draft, f, gold, number) == expected
            checked += 1
            twins += expected
    assert checked > 100 and 0 < twins < checked  # both answers were exercised


@pytest.mark.parametrize(("seed", "tier", "overrides"), WORLDS)
def test_the_recency_check_is_the_latest_statement_of_any_evidence(seed, tier, overrides) -> None:
    plan = _plan(seed, tier, **overrides)
    world, timeline = plan.world, plan.timeline
    guard = Guard(world, timeline)
    late, doc_pos, index = guard.stated_late, timeline.doc_pos, world.index
    pool = [fact for row in world.facts for fact in row] + [c.new for c in world.changes]
    late_facts = [fact for fact in pool if id(fact) in late]
    assert late_facts  # changes and restated fields are stated after their documents
    rng = random.Random(seed)
    verdicts = set()
    for _ in range(400):
        evidence = rng.sample(pool, rng.randrange(0, 6)) + rng.sample(late_facts, 1)
        evidence = evidence[rng.randrange(2) :]  # sometimes without a late fact
        p = rng.randrange(len(timeline.items) + 1)
        draft = Draft(p, "retrieval", {}, "", evidence, "text", 0.0, Table())  # type: ignore[arg-type]
        last = max((late.get(id(f), doc_pos[index[f.entity]]) for f in evidence), default=-1)
        expected = p - 1 - last < QUESTION_GAP
        assert guard.too_recent(draft) == expected
        verdicts.add(expected)
    assert verdicts == {True, False}
