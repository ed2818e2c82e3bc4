"""Every gold answer of the dialogue track, recomputed from ``scenario.facts`` alone.

The recomputation never goes through ``memgym.query``: values are replayed from the facts in step order,
and the flight choice is recomputed from the customer's latest values and the catalogue rows.
"""

from __future__ import annotations

from collections import Counter, defaultdict

import pytest

from memgym.claims import Claim, format_value
from memgym.query import Table, evaluate
from memgym.tracks import get_track
from memgym.types import GoldQuestion, Scenario

TRACK = get_track("dialogue")


def _history(scenario: Scenario) -> dict[str, dict[str, list[str]]]:
    """entity -> attribute -> values in stream order (repeats of the same value dropped)."""
    out: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for fact in sorted(scenario.facts, key=lambda f: (f.step, int(f.id[1:]))):
        values = out[fact.entity][fact.attribute]
        text = format_value(fact.value)
        if not values or values[-1] != text:
            values.append(text)
    return out


def _fits(have: str, op: str, want: str) -> bool:
    return have == want if op == "==" else int(have) <= int(want)


def _recompute(q: GoldQuestion, history: dict[str, dict[str, list[str]]]) -> str:
    spec = q.spec
    if spec["op"] == "value":
        return history[spec["entity"]][spec["attribute"]][-1]
    if spec["op"] == "previous":
        return history[spec["entity"]][spec["attribute"]][-2]
    if spec["op"] == "count":
        (_, _, user), (_, _, meal) = spec["where"]
        party = [e for e, row in history.items() if row.get("travels_with", [""])[-1] == user]
        return str(sum(history[e]["meal"][-1] == meal for e in party))
    assert spec["op"] == "select"
    user = history[spec["entity"]]
    tag = spec["where"][0][2]
    rows = [e for e, row in history.items() if row.get("catalogue", [""])[-1] == tag]
    fitting = [
        e
        for e in rows
        if all(_fits(history[e][a][-1], op, user[w][-1]) for a, op, w in spec["match"])
    ]
    assert len(fitting) == 1, (q.id, fitting)
    return fitting[0]


def _failed(history: dict, rules: list, user: dict, flight: str, when: int) -> set[int]:
    """Indices of the rules ``flight`` fails against the customer's ``when``-th values."""
    return {
        i
        for i, (a, op, w) in enumerate(rules)
        if not _fits(history[flight][a][-1], op, user[w][when])
    }


@pytest.mark.parametrize("tier", ["lite", "standard", "hard"])
def test_every_gold_answer_recomputes_from_the_facts(tier: str) -> None:
    for seed in range(8):
        scenario = TRACK.generate(seed, tier)
        history = _history(scenario)
        for q in scenario.questions:
            assert str(q.answer) == _recompute(q, history), (tier, seed, q.id, q.text)


def test_catalogues_hold_near_misses() -> None:
    """Per search: for every equality rule (route, day, cabin) a flight failing only it, for at
    least one limit (stops, fare) a flight failing only it, both limits over a scenario's
    searches when no limit changed, and, when a change touches the leg, a flight that fits the
    requirements as they were before the changes."""
    stale_seen = 0
    for seed in range(8):
        scenario = TRACK.generate(seed, "standard")
        history = _history(scenario)
        limits_failed: set[int] = set()
        limit_changed = False
        for q in scenario.questions:
            if q.spec["op"] != "select":
                continue
            user = history[q.spec["entity"]]
            tag = q.spec["where"][0][2]
            rows = [e for e, row in history.items() if row.get("catalogue", [""])[-1] == tag]
            rules = q.spec["match"]
            equal = {i for i, r in enumerate(rules) if r[1] == "=="}
            alone = {
                next(iter(_failed(history, rules, user, e, -1)))
                for e in rows
                if len(_failed(history, rules, user, e, -1)) == 1
            }
            assert equal <= alone and alone - equal, (seed, tag, alone)
            limits_failed |= alone - equal
            limit_changed |= any(len(user[w]) > 1 for _, op, w in rules if op != "==")
            if any(len(user[w]) > 1 for _, _, w in rules):
                assert any(
                    not _failed(history, rules, user, e, 0) and _failed(history, rules, user, e, -1)
                    for e in rows
                )
                stale_seen += 1
        assert limit_changed or len(limits_failed) == 2, (seed, limits_failed)
    assert stale_seen > 0


def test_a_catalogue_alone_does_not_tell_the_target() -> None:
    """Every equality attribute of a search shows the wanted value exactly as often as one
    decoy, and every combination of wanted and decoy values at least twice: the target's
    route, day and cabin are no more typical than any other row's."""
    for seed in range(6):
        scenario = TRACK.generate(seed, "lite")
        history = _history(scenario)
        for q in scenario.questions:
            if q.spec["op"] != "select":
                continue
            tag = q.spec["where"][0][2]
            rows = [row for row in history.values() if row.get("catalogue", [""])[-1] == tag]
            equal = [a for a, op, _ in q.spec["match"] if op == "=="]
            for attribute in equal:
                counts = sorted(Counter(row[attribute][-1] for row in rows).values())
                assert counts == [len(rows) // 2] * 2, (seed, attribute, counts)
            combos = Counter(tuple(row[a][-1] for a in equal) for row in rows)
            assert len(combos) == 2 ** len(equal) and min(combos.values()) >= 2


def test_evidence_ids_are_facts_stated_before_the_question() -> None:
    for seed in range(5):
        scenario = TRACK.generate(seed, "standard")
        facts = scenario.fact_index()
        for event in scenario.events:
            if event.question is not None:
                assert event.question.evidence
                assert all(facts[f].step < event.step for f in event.question.evidence)


def test_a_memory_that_missed_the_changes_never_books_the_target() -> None:
    """Evaluated over every fact except the changed values, a selection whose leg a change
    touches comes out as a near miss or unknown, never the gold flight."""
    checked = 0
    for seed in range(10):
        scenario = TRACK.generate(seed, "standard")
        changed = {
            f for e in scenario.events if e.kind in ("correction", "update") for f in e.facts
        }
        stale = Table.from_claims(
            Claim(f.entity, f.attribute, format_value(f.value))
            for f in sorted(scenario.facts, key=lambda f: f.step)
            if f.id not in changed
        )
        touched = {scenario.fact_index()[f].attribute for f in changed}
        for q in scenario.questions:
            if q.spec["op"] == "select" and touched & {w for _, _, w in q.spec["match"]}:
                assert evaluate(q.spec, stale) != q.answer
                checked += 1
    assert checked > 0
