"""Question wording: natural English that says exactly what the question's spec asks, units named.

Every function takes the template's attribute or relation objects and entity names and returns
the question text. Aggregates say "described so far" because they range over the entities whose
documents came before the question.
"""

from __future__ import annotations

from memgym.tracks.entities.phrases import article
from memgym.tracks.entities.templates import Attribute, Relation, Template

Field = Attribute | Relation


def _unit(a: Field) -> str:
    unit = getattr(a, "unit", "")
    return f", in {unit}" if unit else ""


def _value_unit(a: Field) -> str:
    unit = getattr(a, "unit", "")
    return f"name (value in {unit})" if unit else "name (value)"


def value(t: Template, a: Field, entity: str, current: bool = False) -> str:
    """What is the (current) <label> of <entity>?"""
    now = "current " if current else ""
    if isinstance(a, Relation):
        return f"Which {t.noun} is the {now}{a.label} of {entity}?"
    if a.gen == "person":
        return f"Who is the {now}{a.label} of {entity}?"
    if a.type == "date":
        return f"What is the {now}{a.label} of {entity} (as YYYY-MM-DD)?"
    return f"What is the {now}{a.label} of {entity}{_unit(a)}?"


def previous(a: Attribute, entity: str) -> str:
    return f"What was the {a.label} of {entity} before its most recent change{_unit(a)}?"


def delta(a: Attribute, entity: str) -> str:
    return (
        f"By how much did the {a.label} of {entity} change in its most recent revision "
        f"(new value minus old value){_unit(a)}?"
    )


def aggregate(t: Template, fn: str, a: Attribute, where: Attribute, wanted: str) -> str:
    scope = f"the {t.plural} described so far whose {where.label} is {wanted}"
    if fn == "count":
        return f"How many of the {t.plural} described so far have {wanted} as their {where.label}?"
    word = "total" if fn == "sum" else "average"
    return f"What is the {word} {a.label} of {scope}{_unit(a)}?"


def compare(a: Attribute, first: str, second: str, direction: str) -> str:
    more = "higher" if direction == "max" else "lower"
    return f"Which has the {more} {a.label}, {first} or {second}? Answer as {_value_unit(a)}."


def argmax(t: Template, a: Attribute, where: Attribute, wanted: str, direction: str) -> str:
    most = "highest" if direction == "max" else "lowest"
    return (
        f"Among the {t.plural} described so far whose {where.label} is {wanted}, which has the "
        f"{most} {a.label}? Answer as {_value_unit(a)}."
    )


def hop(t: Template, relation: Relation, a: Attribute, entity: str) -> str:
    if a.gen == "person":
        return f"Who is the {a.label} of the {relation.label} of {entity}?"
    if a.type == "date":
        return f"What is the {a.label} of the {relation.label} of {entity} (as YYYY-MM-DD)?"
    return f"What is the {a.label} of the {relation.label} of {entity}{_unit(a)}?"


def count(t: Template, where: Attribute, wanted: str, a: Attribute, op: str, threshold: str) -> str:
    side = "above" if op == ">" else "below"
    unit = f" {a.unit}" if a.unit else ""
    return (
        f"How many of the {t.plural} described so far have {wanted} as their {where.label} "
        f"and {article(a.label)} {side} {threshold}{unit}?"
    )


def trend(a: Attribute, entity: str) -> str:
    unit = f" in {a.unit}" if a.unit else ""
    return (
        f"Over the four quarters reported, is the {a.label} of {entity} rising, falling or mixed? "
        f"Answer as trend (last minus first{unit})."
    )
