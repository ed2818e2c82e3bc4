"""The domain data: enough of it, well-formed, and sized for the write budget."""

from __future__ import annotations

import re

from memgym.claims import format_value, render_record
from memgym.tokens import count_tokens
from memgym.tracks.entities.names import max_entities
from memgym.tracks.entities.params import MAX_ENTITIES
from memgym.tracks.entities.templates import FIELDS, TEMPLATES, Attribute, Relation, Template

REQUIRED = {
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
}
FORBIDDEN = re.compile(r"[|;=()]")


def test_every_required_domain_exists():
    assert REQUIRED <= set(TEMPLATES)


def test_templates_are_frozen_dataclasses_with_priors():
    for t in TEMPLATES.values():
        assert isinstance(t, Template)
        assert all(isinstance(a, Attribute) for a in t.attributes)
        assert all(isinstance(r, Relation) for r in t.relations)
        assert isinstance(t.attributes, tuple) and isinstance(t.relations, tuple)
        for a in t.attributes:
            if a.type == "enum":
                assert len(a.choices) == len(a.weights) >= 2
            if a.type in ("int", "float", "date", "series"):
                assert a.low < a.high
            if a.type == "float":
                assert a.decimals in (1, 2)


def test_each_domain_is_rich():
    for t in TEMPLATES.values():
        assert len(t.attributes) >= 15
        assert {a.type for a in t.attributes} == {"int", "float", "text", "enum", "date", "series"}
        assert len(t.relations) >= 2
        assert all(re.fullmatch(r"[a-z][a-z0-9_]*", a.name) for a in t.attributes)
        assert len({a.label for a in t.attributes}) == len(t.attributes)


def test_no_forbidden_characters():
    for t in TEMPLATES.values():
        for a in t.attributes:
            for text in (a.label, a.unit, *a.choices):
                assert not FORBIDDEN.search(text) and "," not in text


def test_name_pools_are_large_and_fictional_shaped():
    for t in TEMPLATES.values():
        combos = len(t.names.heads) * len(t.names.tails) * len(t.names.suffixes)
        assert combos >= 2000
        assert max_entities(t.names) >= MAX_ENTITIES + 40


def test_a_label_means_one_thing_everywhere():
    for t in TEMPLATES.values():
        for a in t.attributes:
            assert FIELDS[a.label].name == a.name and FIELDS[a.label].kind == a.type
        for r in t.relations:
            assert FIELDS[r.label].name == r.name and FIELDS[r.label].kind == "relation"


def test_write_cap_fits_one_record_but_never_two(track):
    cap = track.params()["max_write_tokens"]
    sizes = []
    for name in TEMPLATES:
        scenario = track.generate(2, "lite", template=name)
        records = {}
        for f in scenario.facts:
            records.setdefault(f.entity, {})[f.attribute] = format_value(f.value)
        for entity, items in records.items():
            sizes.append(
                count_tokens(render_record(entity, [(a, v, None) for a, v in items.items()]))
            )
    assert max(sizes) + 10 <= cap < 2 * min(sizes)


def test_priors_come_from_the_templates(track):
    priors = track.priors({"template": "hospital"})
    beds = TEMPLATES["hospital"].attribute("beds")
    assert priors["beds"].low == beds.low and priors["beds"].high == beds.high
    assert priors["ownership"].choices == TEMPLATES["hospital"].attribute("ownership").choices
    assert set(priors) == {a.name for a in TEMPLATES["hospital"].attributes}
    assert len(track.priors({})) > len(priors)
