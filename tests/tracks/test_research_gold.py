"""Every research gold answer and evidence list, recomputed from ``scenario.facts`` alone.

A second, deliberately plain implementation of the chain semantics: replay the facts stated
before each question (later facts win), walk the spec's relations from its start entity and read
the end. It shares no code with ``memgym.query`` or the track's question builder.
"""

from __future__ import annotations

from functools import cache

from memgym.tracks import get_track

TRACK = get_track("research")
MIDPOINTS = {name: (p.low + p.high) / 2 for name, p in TRACK.priors({}).items()}


@cache
def _scenarios():
    tiers = ("lite", "standard", "hard")
    out = []
    for i in range(30):
        out.append(
            TRACK.generate(
                500 + 7 * i,
                tiers[i % 3],
                doc_style=("narrative", "kv", "mixed")[i % 3],
                question_placement="end" if i % 4 == 0 else "interleaved",
            )
        )
    return tuple(out)


def _known(ordered, step):
    """(entity, attribute) -> (value, fact id) of the latest fact stated before ``step``."""
    known = {}
    for fact in ordered:
        if fact.step >= step:
            break
        known[(fact.entity, fact.attribute)] = (fact.value, fact.id)
    return known


def test_every_gold_and_evidence_recomputed() -> None:
    checked = 0
    for scenario in _scenarios():
        steps = {e.question.id: e.step for e in scenario.events if e.question is not None}
        ordered = sorted(scenario.facts, key=lambda f: (f.step, int(f.id[1:])))
        for q in scenario.questions:
            known = _known(ordered, steps[q.id])
            entity, evidence = q.spec["entity"], []
            for relation in q.spec["relations"]:
                entity, fid = known[(entity, relation)]
                evidence.append(fid)
            if "attribute" in q.spec:
                answer, fid = known[(entity, q.spec["attribute"])]
                evidence.append(fid)
                assert q.answer_type == "int"
                assert answer != MIDPOINTS[q.spec["attribute"]]
            else:
                answer = entity
                assert q.answer_type == "text"
            assert q.answer == answer, (scenario.seed, q.id)
            assert q.evidence == evidence, (scenario.seed, q.id)
            checked += 1
    assert checked > 250


def test_corrected_links_are_fixed_before_any_question_follows_them() -> None:
    for scenario in _scenarios()[:12]:
        facts = scenario.fact_index()
        evidence = {f for q in scenario.questions for f in q.evidence}
        errata = [e for e in scenario.events if e.kind == "correction"]
        corrections = [e for e in errata if evidence & set(e.facts)]
        assert len(corrections) == scenario.params["corrections"]
        for q in scenario.questions:
            if q.kind == "post_correction":
                fixed = {f for e in corrections for f in e.facts}
                assert fixed & set(q.evidence)
            for fid in q.evidence:
                assert facts[fid].step < next(e.step for e in scenario.events if e.question is q)
