"""Every codeqa gold answer recomputed from ``scenario.facts`` alone, without memgym.query."""

from __future__ import annotations

from collections import deque
from typing import Any

from memgym.claims import format_value
from memgym.tracks import get_track
from memgym.types import Fact, GoldQuestion

TRACK = get_track("codeqa")


def _history(facts: list[Fact], before: int) -> dict[tuple[str, str], list[str]]:
    out: dict[tuple[str, str], list[str]] = {}
    for fact in sorted(facts, key=lambda f: f.step):
        if fact.step < before:
            out.setdefault((fact.entity, fact.attribute), []).append(format_value(fact.value))
    return out


def _chain(calls: dict[str, list[str]], start: str, goal: str) -> list[list[str]]:
    """Every call path from start to goal (the graph is acyclic)."""
    paths, todo = [], deque([[start]])
    while todo:
        path = todo.popleft()
        for nxt in calls.get(path[-1], []):
            if nxt == goal:
                paths.append([*path, nxt])
            else:
                todo.append([*path, nxt])
    return paths


def _gold(question: GoldQuestion, hist: dict[tuple[str, str], list[str]]) -> Any:
    spec = question.spec
    last = {key: values[-1] for key, values in hist.items()}
    if question.kind == "abstention":
        assert not any(entity == spec["entity"] for entity, _ in hist)
        return None
    if question.kind == "retrieval" or question.kind == "post_correction":
        return last[(spec["entity"], "value")]
    if question.kind == "previous_value":
        return hist[(spec["entity"], "value")][-2]
    if question.kind == "multi_hop":
        return last[(last[(spec["entity"], spec["relation"])], spec["attribute"])]
    if question.kind == "filter_count":
        functions = {e for (e, a) in last if a == "module" and (e, "value") not in last}
        wanted = {a: v for a, _, v in spec["where"]}
        return sum(all(last.get((f, a)) == v for a, v in wanted.items()) for f in functions)
    assert question.kind == "call_chain"
    calls = {e: v.split(", ") for (e, a), v in last.items() if a == "calls"}
    paths = _chain(calls, spec["from"], spec["to"])
    assert len(paths) == 1, "a call chain question must have exactly one answer"
    return " -> ".join(paths[0])


def test_every_gold_recomputed_from_facts() -> None:
    checked = 0
    for tier in ("lite", "standard"):
        for seed in range(12):
            scenario = TRACK.generate(seed, tier)
            for event in scenario.events:
                q = event.question
                if q is None:
                    continue
                expected = _gold(q, _history(scenario.facts, event.step))
                if expected is None:
                    assert q.answer is None and q.answer_type == "abstain"
                else:
                    assert format_value(q.answer) == str(expected), (tier, seed, q.id, q.kind)
                checked += 1
    assert checked == 12 * sum(TRACK.params(t)["questions"] for t in ("lite", "standard"))


def test_counts_and_values_are_never_trivial() -> None:
    for seed in range(12):
        for q in TRACK.generate(seed, "standard").questions:
            if q.kind == "filter_count":
                assert isinstance(q.answer, int) and q.answer >= 1
            if q.kind == "call_chain":
                assert isinstance(q.answer, str) and q.answer.count(" -> ") >= 2
