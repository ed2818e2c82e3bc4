"""The entities track's domains, loaded once from ``templates.json`` into frozen dataclasses.

Other code (guessing baselines, the reader) reads the priors and wording from here, so the loader
checks every rule the rest of the track relies on and fails loudly at import when data breaks one:
values and labels free of the note-format characters, every type present, and one meaning per
label across all domains (the reader maps a label back to its attribute without knowing the
domain).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

TYPES = ("int", "float", "text", "enum", "date", "series")
NUMERIC = ("int", "float")
TEXT_GENERATORS = ("person", "place", "code")
FORBIDDEN = re.compile(r"[|;=()]")
_SNAKE = re.compile(r"^[a-z][a-z0-9_]*$")
_LABEL = re.compile(r"^[a-z][a-z -]*[a-z]$")
_LABEL_STOPWORDS = re.compile(r"\b(?:of|is|as|was|its|the)\b")
_NAME_WORD = re.compile(r"^[A-Z][A-Za-z]*$")
MIN_ATTRIBUTES = 15
MIN_RELATIONS = 2


@dataclass(frozen=True, slots=True)
class Attribute:
    """One typed attribute: its note name, its prose label, unit and the prior it is drawn from.

    ``low``/``high`` are the value range (years for dates), ``decimals`` the fixed precision of
    floats and series, ``choices``/``weights`` the enum distribution, ``gen`` how text values are
    made (person, place or code), ``additive`` whether a sum over entities makes sense and
    ``static`` whether the value never changes in the world (a founding year can be corrected
    but is never silently updated).
    """

    name: str
    label: str
    type: str
    unit: str = ""
    low: float = 0.0
    high: float = 0.0
    decimals: int = 0
    choices: tuple[str, ...] = ()
    weights: tuple[float, ...] = ()
    gen: str = ""
    additive: bool = True
    static: bool = False

    @property
    def numeric(self) -> bool:
        """Whether values are single numbers (int or float)."""
        return self.type in NUMERIC


@dataclass(frozen=True, slots=True)
class Relation:
    """A link from an entity to another entity of the same world, e.g. ``partner``."""

    name: str
    label: str


@dataclass(frozen=True, slots=True)
class NameParts:
    """Fictional name material: stem = head + tail, name = ``pattern`` with stem and suffix."""

    heads: tuple[str, ...]
    tails: tuple[str, ...]
    suffixes: tuple[str, ...] = ("",)
    pattern: str = "{stem} {suffix}"


@dataclass(frozen=True, slots=True)
class Template:
    """One domain: what its entities are called and what is known about each."""

    name: str
    noun: str
    plural: str
    attributes: tuple[Attribute, ...]
    relations: tuple[Relation, ...]
    names: NameParts

    def attribute(self, name: str) -> Attribute:
        """The attribute called ``name``."""
        for attribute in self.attributes:
            if attribute.name == name:
                return attribute
        raise KeyError(name)


@dataclass(frozen=True, slots=True)
class Field:
    """What a prose label means to the reader: note name, kind (a type or ``relation``), unit."""

    name: str
    kind: str
    unit: str


def _attribute(raw: dict[str, Any]) -> Attribute:
    return Attribute(
        name=raw["name"],
        label=raw["label"],
        type=raw["type"],
        unit=raw.get("unit", ""),
        low=raw.get("low", 0.0),
        high=raw.get("high", 0.0),
        decimals=raw.get("decimals", 0),
        choices=tuple(raw.get("choices", ())),
        weights=tuple(float(w) for w in raw.get("weights", ())),
        gen=raw.get("gen", ""),
        additive=raw.get("additive", True),
        static=raw.get("static", False),
    )


def _template(name: str, raw: dict[str, Any]) -> Template:
    parts = raw["names"]
    return Template(
        name=name,
        noun=raw["noun"],
        plural=raw["plural"],
        attributes=tuple(_attribute(a) for a in raw["attributes"]),
        relations=tuple(Relation(r["name"], r["label"]) for r in raw["relations"]),
        names=NameParts(
            heads=tuple(parts["heads"]),
            tails=tuple(parts["tails"]),
            suffixes=tuple(parts.get("suffixes", ("",))),
            pattern=parts.get("pattern", "{stem} {suffix}"),
        ),
    )


def _check_attribute(where: str, a: Attribute) -> None:
    if not _SNAKE.match(a.name):
        raise ValueError(f"{where}: attribute name {a.name!r} is not snake_case")
    if a.type not in TYPES:
        raise ValueError(f"{where}: unknown type {a.type!r}")
    if a.type == "enum":
        if len(a.choices) < 2 or len(a.weights) != len(a.choices) or min(a.weights) <= 0:
            raise ValueError(f"{where}: enum needs >= 2 choices with positive weights")
        for choice in a.choices:
            if FORBIDDEN.search(choice) or "," in choice or "." in choice:
                raise ValueError(f"{where}: bad enum choice {choice!r}")
    elif a.type == "text":
        if a.gen not in TEXT_GENERATORS:
            raise ValueError(f"{where}: text attribute needs gen in {TEXT_GENERATORS}")
    elif not a.low < a.high:
        raise ValueError(f"{where}: needs low < high")
    if a.type == "float" and a.decimals not in (1, 2):
        raise ValueError(f"{where}: floats have 1 or 2 decimals")
    if a.type == "series" and a.decimals not in (0, 1, 2):
        raise ValueError(f"{where}: series have 0 to 2 decimals")
    if FORBIDDEN.search(a.unit) or "." in a.unit or "," in a.unit:
        raise ValueError(f"{where}: bad unit {a.unit!r}")


def _check_label(where: str, label: str) -> None:
    if not _LABEL.match(label) or _LABEL_STOPWORDS.search(label):
        raise ValueError(f"{where}: label {label!r} must be plain lowercase words (no of/is/as)")


def _check(t: Template) -> None:
    where = f"template {t.name!r}"
    if len(t.attributes) < MIN_ATTRIBUTES or len(t.relations) < MIN_RELATIONS:
        raise ValueError(
            f"{where}: needs >= {MIN_ATTRIBUTES} attributes, >= {MIN_RELATIONS} relations"
        )
    missing = set(TYPES) - {a.type for a in t.attributes}
    if missing:
        raise ValueError(f"{where}: no attribute of type {sorted(missing)}")
    if sum(a.type == "enum" for a in t.attributes) < 2 or sum(a.numeric for a in t.attributes) < 4:
        raise ValueError(f"{where}: needs >= 2 enum and >= 4 numeric attributes")
    if sum(a.numeric and not a.static for a in t.attributes) < 4:
        raise ValueError(f"{where}: needs >= 4 numeric attributes that may change")
    names = [a.name for a in t.attributes] + [r.name for r in t.relations]
    labels = [a.label for a in t.attributes] + [r.label for r in t.relations]
    if len(set(names)) != len(names) or len(set(labels)) != len(labels):
        raise ValueError(f"{where}: attribute names and labels must be unique")
    for a in t.attributes:
        _check_attribute(f"{where}, {a.name}", a)
        _check_label(f"{where}, {a.name}", a.label)
    for r in t.relations:
        if not _SNAKE.match(r.name):
            raise ValueError(f"{where}: relation name {r.name!r} is not snake_case")
        _check_label(f"{where}, {r.name}", r.label)
    parts = t.names
    for piece in parts.suffixes:
        if piece and not all(_NAME_WORD.match(w) for w in piece.split(" ")):
            raise ValueError(f"{where}: name suffix {piece!r} must be capitalised words")
    if len(parts.heads) * len(parts.tails) < 300:
        raise ValueError(f"{where}: too few name parts")


def _fields(templates: dict[str, Template]) -> dict[str, Field]:
    """label -> Field over all templates; a label (and a name) must mean the same everywhere."""
    by_label: dict[str, Field] = {}
    by_name: dict[str, str] = {}
    for t in templates.values():
        pairs = [(a.label, Field(a.name, a.type, a.unit)) for a in t.attributes]
        pairs += [(r.label, Field(r.name, "relation", "")) for r in t.relations]
        for label, field in pairs:
            if by_label.setdefault(label, field) != field:
                raise ValueError(f"label {label!r} means different things in different templates")
            if by_name.setdefault(field.name, label) != label:
                raise ValueError(f"attribute {field.name!r} has two labels")
    return by_label


def load(path: Path) -> tuple[dict[str, Template], NameParts, NameParts, tuple[str, ...]]:
    """(templates, person surname parts, place parts, first names) from a templates file."""
    raw = json.loads(path.read_text(encoding="utf-8"))
    templates = {name: _template(name, t) for name, t in raw["templates"].items()}
    for t in templates.values():
        _check(t)
    people, places = raw["people"], raw["places"]
    return (
        templates,
        NameParts(tuple(people["heads"]), tuple(people["tails"])),
        NameParts(tuple(places["heads"]), tuple(places["tails"])),
        tuple(people["first"]),
    )


TEMPLATES, SURNAMES, PLACES, FIRST_NAMES = load(Path(__file__).with_name("templates.json"))
"""All domains by name, and the shared material for person and place names."""
TEMPLATE_NAMES: tuple[str, ...] = tuple(sorted(TEMPLATES))
FIELDS: dict[str, Field] = _fields(TEMPLATES)
"""Every prose label of every domain -> what it means."""
