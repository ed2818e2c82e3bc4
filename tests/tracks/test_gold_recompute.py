"""Every gold answer and every evidence list, recomputed from ``scenario.facts`` alone.

This is a second, deliberately simple implementation of the question semantics: it replays the
facts stated before each question and answers from that history. It shares no code with
``memgym.query`` or the track's question builders, so an error in either shows up as a
disagreement here.
"""

from __future__ import annotations

import re
from itertools import pairwise

import pytest

from memgym.tracks import get_track

TEMPLATES = [
    "company",
    "research_lab",
    "city",
    "hospital",
    "sports_team",
    "film",
    "university",
    "software_service",
    "project",
    "agent_team",
]
TIERS = ["lite", "standard", "multi", "lite", "hard"]
NAME_VALUE = re.compile(r"^(?P<name>.+) \((?P<value>-?\d+(?:\.\d+)?)\)$")
PRECISION = 0.005 + 1e-9
"""Golds are written with at most two decimals."""


def _scenarios():
    track = get_track("entities")
    out = []
    for i in range(100):
        out.append(
            track.generate(
                7000 + 13 * i,
                TIERS[i % len(TIERS)],
                template=TEMPLATES[i % len(TEMPLATES)],
                doc_style="kv" if i % 3 == 0 else "narrative",
                question_placement="end" if i % 7 == 0 else "interleaved",
            )
        )
    return out


SCENARIOS = _scenarios()


def _history(scenario, step):
    """entity -> attribute -> [(value, fact id), ...] for facts stated before ``step``."""
    history = {}
    for fact in sorted(scenario.facts, key=lambda f: f.step):
        if fact.step < step:
            history.setdefault(fact.entity, {}).setdefault(fact.attribute, []).append(
                (fact.value, fact.id)
            )
    return history


def _holds(value, op, target):
    if op == "==":
        return value == target
    if op == ">":
        return value > target
    return value < target


def _selected(history, where):
    """Entities (first-seen order) with every attribute of ``where`` known and satisfied."""
    chosen = []
    for entity, row in history.items():
        if all(a in row and _holds(row[a][-1][0], op, t) for a, op, t in where):
            chosen.append(entity)
    return chosen


def _where_ids(history, entities, where):
    return [history[e][a][-1][1] for e in entities for a, _, _ in where]


def _winner(pairs, direction):
    """(name, value) of the unique best pair; asserts there is no tie."""
    values = sorted(v for _, v in pairs)
    best = values[-1] if direction == "max" else values[0]
    assert values.count(best) == 1, "tie in a which-is-best question"
    return next((n, v) for n, v in pairs if v == best)


def recompute(scenario, step, spec):
    """(answer, evidence ids) for ``spec`` asked at ``step``; answer None when unknowable."""
    h = _history(scenario, step)
    op = spec["op"]
    if op in ("value", "previous", "delta", "trend"):
        values = h.get(spec["entity"], {}).get(spec["attribute"])
        if not values:
            return None, []
        if op == "value":
            return values[-1][0], [values[-1][1]]
        if op == "trend":
            series = values[-1][0]
            steps = [b - a for a, b in pairwise(series)]
            label = (
                "rising"
                if all(s > 0 for s in steps)
                else "falling"
                if all(s < 0 for s in steps)
                else "mixed"
            )
            return (label, series[-1] - series[0]), [values[-1][1]]
        assert len(values) >= 2, "a change question needs a change"
        (old, old_id), (new, new_id) = values[-2], values[-1]
        return (old if op == "previous" else new - old), [old_id, new_id]
    if op == "aggregate":
        entities = _selected(h, spec["where"])
        ids = _where_ids(h, entities, spec["where"])
        if spec["fn"] == "count":
            return len(entities), ids
        numbers = [h[e][spec["attribute"]][-1][0] for e in entities]
        ids += [h[e][spec["attribute"]][-1][1] for e in entities]
        total = sum(numbers)
        return (total if spec["fn"] == "sum" else total / len(numbers)), ids
    if op == "count":
        entities = _selected(h, spec["where"])
        return len(entities), _where_ids(h, entities, spec["where"])
    if op == "compare":
        pairs = [(e, h[e][spec["attribute"]][-1][0]) for e in spec["entities"]]
        ids = [h[e][spec["attribute"]][-1][1] for e in spec["entities"]]
        return _winner(pairs, spec["direction"]), ids
    if op == "argmax":
        entities = _selected(h, spec["where"])
        pairs = [(e, h[e][spec["attribute"]][-1][0]) for e in entities]
        ids = _where_ids(h, entities, spec["where"]) + [
            h[e][spec["attribute"]][-1][1] for e in entities
        ]
        return _winner(pairs, spec["direction"]), ids
    if op == "hop":
        link, link_id = h[spec["entity"]][spec["relation"]][-1]
        value, value_id = h[link][spec["attribute"]][-1]
        return value, [link_id, value_id]
    raise AssertionError(f"unexpected op {op}")


def _close(a, b):
    return abs(float(a) - float(b)) <= PRECISION


def _agrees(question, mine):
    gold = question.answer
    if question.answer_type == "abstain":
        return mine is None and gold is None
    if question.answer_type == "name_value":
        m = NAME_VALUE.match(gold)
        return m is not None and m["name"] == mine[0] and _close(m["value"], mine[1])
    if question.answer_type == "int":
        return isinstance(gold, int) and gold == mine
    if question.answer_type == "float":
        return isinstance(gold, float) and _close(gold, mine)
    return isinstance(gold, str) and gold == mine


@pytest.mark.parametrize("index", range(len(SCENARIOS)))
def test_every_gold_and_evidence_recomputes(index):
    scenario = SCENARIOS[index]
    questions = 0
    for event in scenario.events:
        q = event.question
        if q is None:
            continue
        questions += 1
        mine, ids = recompute(scenario, event.step, q.spec)
        assert _agrees(q, mine), (q.kind, q.text, q.answer, mine)
        assert sorted(q.evidence) == sorted(ids), (q.kind, q.text)
        assert (q.answer_type == "abstain") == (q.kind == "abstention")
    assert questions == scenario.params["questions"]


def test_the_sample_covers_every_kind_template_and_tier():
    kinds = {q.kind for s in SCENARIOS for q in s.questions}
    assert kinds == {
        "retrieval",
        "post_correction",
        "previous_value",
        "delta",
        "aggregation",
        "comparison",
        "argmax",
        "multi_hop",
        "filter_count",
        "trend",
        "abstention",
    }
    assert {s.params["template"] for s in SCENARIOS} == set(TEMPLATES)
    assert {s.params["tier"] for s in SCENARIOS} == set(TIERS)
