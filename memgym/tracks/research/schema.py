"""The research track's knowledge-graph schema: entity types, their fields and the prose for each.

A field is either an integer attribute (drawn uniformly from ``low..high``) or a relation whose
value is the name of another entity of type ``target``. Field names are unique across types, so
the reader maps a label or a frame back to its field without knowing the entity's type. Frames
are sentences with ``{E}`` (the entity) and ``{V}`` (the value); every one is distinct text, so
prose reads back unambiguously.
"""

from __future__ import annotations

from dataclasses import dataclass

INT = "int"


@dataclass(frozen=True, slots=True)
class Field:
    """One attribute (``kind == "int"``) or relation (``kind == "relation"``) of an entity type."""

    name: str
    label: str
    """Key-value label and erratum wording (lower case)."""
    ask: str
    """How a question names it: "the {ask} of X"."""
    frames: tuple[str, ...]
    target: str = ""
    """For relations: the entity type the value names."""
    low: int = 0
    high: int = 0

    @property
    def relation(self) -> bool:
        return bool(self.target)

    @property
    def midpoint(self) -> int:
        """The value a prior-only guesser would pick for an attribute."""
        return round((self.low + self.high) / 2)


def _int(name: str, label: str, ask: str, low: int, high: int, *frames: str) -> Field:
    return Field(name, label, ask, frames, low=low, high=high)


def _rel(name: str, label: str, target: str, *frames: str) -> Field:
    return Field(name, label, label, frames, target=target)


PERSON, ORG, PLACE, EVENT = "person", "org", "place", "event"
TYPES: dict[str, tuple[Field, ...]] = {
    PERSON: (
        _int(
            "born",
            "year of birth",
            "year of birth",
            1850,
            2005,
            "{E} was born in the year {V}.",
            "{E}'s year of birth is {V}.",
        ),
        _rel("employer", "employer", ORG, "{E} works for {V}.", "{E} is employed by {V}."),
        _rel("birthplace", "birthplace", PLACE, "{E} is a native of {V}.", "{E} grew up in {V}."),
        _rel("mentor", "mentor", PERSON, "{E} trained under {V}.", "{E}'s mentor is {V}."),
    ),
    ORG: (
        _int(
            "founded",
            "founding year",
            "founding year",
            1820,
            2015,
            "{E} was founded in {V}.",
            "{E} dates back to {V}.",
        ),
        _int(
            "staff",
            "staff",
            "staff count",
            40,
            9500,
            "{E} employs {V} people.",
            "{E} has a staff of {V}.",
        ),
        _rel(
            "headquarters",
            "headquarters",
            PLACE,
            "{E} is headquartered in {V}.",
            "{E} has its head office in {V}.",
        ),
        _rel("founder", "founder", PERSON, "{E} was founded by {V}.", "{E}'s founder is {V}."),
    ),
    PLACE: (
        _int(
            "population",
            "population",
            "population",
            1200,
            950000,
            "{E} has a population of {V}.",
            "{E} is home to {V} residents.",
        ),
        _int(
            "elevation_m",
            "elevation in metres",
            "elevation in metres",
            3,
            2900,
            "{E} lies at an elevation of {V} metres.",
            "{E} sits {V} metres above sea level.",
        ),
        _rel("mayor", "mayor", PERSON, "{E} is governed by mayor {V}.", "The mayor of {E} is {V}."),
    ),
    EVENT: (
        _int(
            "year",
            "year held",
            "year",
            1850,
            2025,
            "{E} took place in the year {V}.",
            "{E} was held in the year {V}.",
        ),
        _int(
            "attendance",
            "attendance",
            "attendance",
            120,
            65000,
            "{E} drew {V} attendees.",
            "{E} had an attendance of {V}.",
        ),
        _rel("venue", "venue", PLACE, "{E} was hosted in {V}.", "The venue of {E} was {V}."),
        _rel(
            "organiser", "organiser", ORG, "{E} was organised by {V}.", "{E}'s organiser was {V}."
        ),
        _rel(
            "keynote",
            "keynote speaker",
            PERSON,
            "{E} featured a keynote by {V}.",
            "The keynote speaker at {E} was {V}.",
        ),
    ),
}
"""Every entity type and its fields, in document order."""

NOUNS: dict[str, str] = {PERSON: "researcher", ORG: "organisation", PLACE: "town", EVENT: "event"}
"""What a profile calls an entity of each type."""
WHO: dict[str, str] = {
    PERSON: "Who",
    ORG: "Which organisation",
    PLACE: "Which town",
    EVENT: "Which event",
}
"""How a question that ends at an entity of each type opens."""

FIELDS: dict[str, Field] = {f.name: f for fields in TYPES.values() for f in fields}
BY_LABEL: dict[str, Field] = {f.label: f for f in FIELDS.values()}
ATTRIBUTES: dict[str, tuple[Field, ...]] = {
    t: tuple(f for f in fields if not f.relation) for t, fields in TYPES.items()
}
RELATIONS: dict[str, tuple[Field, ...]] = {
    t: tuple(f for f in fields if f.relation) for t, fields in TYPES.items()
}


def _check() -> None:
    frames = [frame for f in FIELDS.values() for frame in f.frames]
    if len(set(frames)) != len(frames):
        raise RuntimeError("research schema: two fields share a frame")
    if len(BY_LABEL) != len(FIELDS):
        raise RuntimeError("research schema: two fields share a label")
    if len(FIELDS) != sum(len(v) for v in TYPES.values()):
        raise RuntimeError("research schema: two fields share a name")


_check()


Spec = tuple[str, str, int, int, int]
"""A field as the generators draw it: name, target type ("" for an integer), and the integer's
range: low, span (``high - low + 1``) and prior midpoint."""
SPECS: dict[str, tuple[Spec, ...]] = {
    kind: tuple((f.name, f.target, f.low, f.high - f.low + 1, f.midpoint) for f in fields)
    for kind, fields in TYPES.items()
}
"""Per entity type, its fields' specs in schema order (prepared once: no property per draw)."""
SPEC_OF: dict[str, tuple[str, int, int, int]] = {
    spec[0]: spec[1:] for specs in SPECS.values() for spec in specs
}
"""field -> its target type and integer range, as in ``SPECS``."""
