"""The reader is the exact inverse of what the track writes, and reads nothing else."""

from __future__ import annotations

import pytest

from memgym.claims import Claim, format_value, render_claims
from memgym.tracks.entities import phrases, render
from memgym.tracks.entities.templates import FIELDS, TEMPLATE_NAMES, TEMPLATES


def expected_claims(scenario, event):
    """The claims an event's text must yield: its facts in order, corrections with previous."""
    index = scenario.fact_index()
    history = {}
    for f in sorted(scenario.facts, key=lambda f: f.step):
        history.setdefault((f.entity, f.attribute), []).append(f)
    claims = []
    for fid in event.facts:
        fact = index[fid]
        previous = None
        if event.kind == "correction":
            before = history[(fact.entity, fact.attribute)]
            previous = format_value(before[before.index(fact) - 1].value)
        claims.append(Claim(fact.entity, fact.attribute, format_value(fact.value), previous))
    return claims


@pytest.fixture(
    scope="module", params=[(t, s) for t in TEMPLATE_NAMES for s in render.DOC_STYLES], ids=str
)
def scenario(request, track):
    template, style = request.param
    return track.generate(
        31, "lite", template=template, doc_style=style, corrections=4, updates=4, questions=20
    )


def test_round_trip_every_stating_event(track, scenario):
    stating = [e for e in scenario.events if e.kind in ("document", "correction", "update")]
    assert {e.kind for e in stating} == {"document", "correction", "update"}
    for event in stating:
        assert track.read(event.text) == expected_claims(scenario, event), event.text


def test_values_are_written_canonically(scenario):
    """Every stated value appears in its event's text exactly as ``format_value`` writes it."""
    index = scenario.fact_index()
    for event in scenario.events:
        for fid in event.facts:
            text = format_value(index[fid].value)
            prose = render.prose_value(text) if isinstance(index[fid].value, list) else text
            assert text in event.text or prose in event.text, (text, event.text)


def test_whole_stream_reads_in_order(track, scenario):
    text = "\n".join(e.text for e in scenario.events)
    expected = [c for e in scenario.events for c in expected_claims(scenario, e)]
    assert track.read(text) == expected


def test_nothing_else_is_read(track, scenario):
    assert track.read(scenario.brief) == []
    for event in scenario.events:
        if event.kind in ("distractor", "question", "session"):
            assert track.read(event.text) == [], event.text


def test_note_lines_read_back(track, scenario):
    claims = [c for e in scenario.events for c in expected_claims(scenario, e)]
    assert track.read(render_claims(claims)) == [
        c for e in dict.fromkeys(c.entity for c in claims) for c in claims if c.entity == e
    ]


def test_documents_state_a_value_once(scenario):
    """Outside corrections no sentence carries two values for one attribute."""
    for event in scenario.events:
        if event.kind in ("document", "update"):
            pairs = [(c.entity, c.attribute) for c in expected_claims(scenario, event)]
            assert len(pairs) == len(set(pairs))


@pytest.mark.parametrize("template", TEMPLATE_NAMES)
def test_every_frame_for_every_field(track, template):
    t = TEMPLATES[template]
    samples = {
        "int": "42",
        "float": "3.25",
        "text": "Orla Vantrem",
        "enum": "",
        "date": "2011-03-04",
    }
    fields = [(a.label, a.unit, a.type, a.choices[0] if a.choices else "") for a in t.attributes]
    fields += [(r.label, "", "relation", "") for r in t.relations]
    for label, unit, kind, choice in fields:
        canonical = {"series": "1.5, 2, 3.25, 4", "relation": "Quell Systems", "enum": choice}.get(
            kind
        )
        canonical = canonical or samples[kind]
        value = render.prose_value(canonical) if kind == "series" else canonical
        for frame in phrases.FRAMES_BY_KIND[kind]:
            text = render._prepare(frame, label, unit).format("Vantor Labs", value)
            assert track.read(text) == [Claim("Vantor Labs", FIELDS[label].name, canonical)], text
        if kind in ("int", "float"):
            for frame in phrases.CORRECTION_FRAMES:
                text = render._prepare(frame, label, unit).format("Vantor Labs", canonical, "7")
                assert track.read(text) == [
                    Claim("Vantor Labs", FIELDS[label].name, canonical, "7")
                ], text


def test_near_misses_are_not_read(track):
    for text in (
        "Vantor Labs's favourite colour is blue.",
        "Vantor Labs's headcount is many employees.",
        "Vantor Labs's headcount is 420 staff members.",
        "What is the headcount of Vantor Labs, in employees?",
        "vantor labs's headcount is 420 employees.",
        "headcount: 420 employees",
        "Meeting notes: Vantor Labs's headcount is 420 employees",
    ):
        assert track.read(text) == [], text


def test_key_value_lines_need_their_header(track):
    text = "Company fact sheet: Vantor Labs\nheadcount: 420 employees\n\nheadcount: 9 employees"
    assert track.read(text) == [Claim("Vantor Labs", "employees", "420")]


def test_numbers_are_canonicalised(track):
    assert track.read("Vantor Labs's annual revenue is 45.20 million USD.") == [
        Claim("Vantor Labs", "revenue_musd", "45.2")
    ]
