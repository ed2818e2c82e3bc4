"""Evidence lists of codeqa and dialogue questions, recomputed from ``scenario.facts`` alone.

The gold tests (``test_codeqa_gold``, ``test_dialogue_gold``) recompute the answers; these derive,
per question kind, which facts decide the answer (the latest statement of each field the answer
reads, as of the question's step) with no code from the tracks or ``memgym.query``, and compare
them with the question's ``evidence``. (Research evidence is recomputed in ``test_research_gold``.)
"""

from __future__ import annotations

from collections import defaultdict

import pytest

from memgym.tracks import get_track
from memgym.types import Fact, Scenario


def _fields(scenario: Scenario, before: int) -> dict[tuple[str, str], list[Fact]]:
    """(entity, attribute) -> the facts stating it before step ``before``, in stream order."""
    out: dict[tuple[str, str], list[Fact]] = defaultdict(list)
    for fact in sorted(scenario.facts, key=lambda f: (f.step, int(f.id[1:]))):
        if fact.step < before:
            out[(fact.entity, fact.attribute)].append(fact)
    return out


def _asked(scenario: Scenario):
    for event in scenario.events:
        if event.question is not None:
            yield event.question, _fields(scenario, event.step)


def _codeqa_evidence(q, fields) -> list[str]:
    spec = q.spec
    last = {key: facts[-1] for key, facts in fields.items()}
    if q.kind == "abstention":
        return []
    if q.kind in ("retrieval", "post_correction"):
        return [last[(spec["entity"], "value")].id]
    if q.kind == "previous_value":
        return [f.id for f in fields[(spec["entity"], "value")][-2:]]
    if q.kind == "multi_hop":
        link = last[(spec["entity"], spec["relation"])]
        return [link.id, last[(str(link.value), spec["attribute"])].id]
    if q.kind == "call_chain":
        names = q.answer.split(" -> ")
        return [last[(name, "calls")].id for name in names[:-1]]
    assert q.kind == "filter_count"
    wanted = {a: v for a, _, v in spec["where"]}
    ids = []
    for (entity, attribute), fact in last.items():
        if attribute != "raises" or fact.value != wanted["raises"]:
            continue
        if "module" in wanted:
            module = last[(entity, "module")]
            if module.value != wanted["module"]:
                continue
            ids.append(module.id)
        ids.append(fact.id)
    return ids


@pytest.mark.parametrize("tier", ["lite", "standard", "hard"])
def test_codeqa_evidence_recomputed(tier: str) -> None:
    track = get_track("codeqa")
    checked = 0
    for seed in range(4):
        scenario = track.generate(seed, tier)
        for q, fields in _asked(scenario):
            expected = _codeqa_evidence(q, fields)
            if q.kind == "filter_count":  # evidence in function order, not stream order
                assert sorted(q.evidence) == sorted(expected), (tier, seed, q.id)
            else:
                assert q.evidence == expected, (tier, seed, q.id, q.kind)
            checked += 1
    assert checked == 4 * track.params(tier)["questions"]


def _dialogue_evidence(q, fields) -> set[str]:
    spec = q.spec
    last = {key: facts[-1] for key, facts in fields.items()}
    if spec["op"] == "value":
        return {last[(spec["entity"], spec["attribute"])].id}
    if spec["op"] == "previous":
        facts = fields[(spec["entity"], spec["attribute"])]
        now = facts[-1]
        before = [f for f in facts if f.value != now.value][-1]
        return {before.id, now.id}
    if spec["op"] == "count":
        user = spec["where"][0][2]
        party = {e for (e, a), f in last.items() if a == "travels_with" and f.value == user}
        return {f.id for (e, a), f in last.items() if e in party and a in ("travels_with", "meal")}
    assert spec["op"] == "select"
    tag = spec["where"][0][2]
    rows = {e for (e, a), f in last.items() if a == "catalogue" and f.value == tag}
    ids = {last[(spec["entity"], wanted)].id for _, _, wanted in spec["match"]}
    return ids | {f.id for (e, _), facts in fields.items() if e in rows for f in facts}


@pytest.mark.parametrize("tier", ["lite", "standard", "hard"])
def test_dialogue_evidence_recomputed(tier: str) -> None:
    track = get_track("dialogue")
    checked = 0
    for seed in range(6):
        scenario = track.generate(seed, tier)
        for q, fields in _asked(scenario):
            assert len(set(q.evidence)) == len(q.evidence), (tier, seed, q.id)
            assert set(q.evidence) == _dialogue_evidence(q, fields), (tier, seed, q.id, q.spec)
            checked += 1
    assert checked > 6 * 3
