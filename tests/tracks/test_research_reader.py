"""The research reader: every fact a result or erratum states is read back, nothing else is."""

from __future__ import annotations

from memgym.claims import Claim, render_claims
from memgym.tracks import get_track

TRACK = get_track("research")


def _scenarios():
    return [
        TRACK.generate(seed, tier, doc_style=style)
        for seed, tier in ((1, "lite"), (2, "standard"))
        for style in ("narrative", "kv")
    ]


def test_every_stated_fact_is_read_back_in_order() -> None:
    for scenario in _scenarios():
        facts = scenario.fact_index()
        for event in scenario.events:
            if event.kind == "question":
                continue
            expected = [
                (facts[f].entity, facts[f].attribute, str(facts[f].value)) for f in event.facts
            ]
            claims = TRACK.read(event.text)
            assert [(c.entity, c.attribute, c.value) for c in claims] == expected, event.text
            if event.kind == "correction":
                assert claims[0].previous is not None and claims[0].previous != claims[0].value


def test_questions_and_brief_state_nothing() -> None:
    scenario = _scenarios()[0]
    assert TRACK.read(scenario.brief) == []
    for q in scenario.questions:
        assert TRACK.read(q.text) == []


def test_canonical_notes_round_trip() -> None:
    claims = [
        Claim("Mira Tolvane", "employer", "Quelion Labs"),
        Claim("Mira Tolvane", "born", "1961"),
        Claim("Quelion Labs", "founder", "Oren Vaskley", previous="Sara Dreton"),
    ]
    assert TRACK.read(render_claims(claims)) == claims


def test_near_miss_prose_is_rejected() -> None:
    texts = [
        "Mira Tolvane was born in the year nineteen.",  # no digits
        "Mira Tolvane works for quelion labs.",  # not a name
        "mira tolvane works for Quelion Labs.",  # no entity
        "Profile: Mira Tolvane (researcher)\n- employer: 1961",  # number for a relation
        "Erratum to an earlier search result: Drelmouth's population is Quelion Labs, not 5.",
    ]
    for text in texts:
        assert TRACK.read(text) == [], text
