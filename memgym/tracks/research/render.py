"""Prose for search results, errata, questions and the brief.

A result is a header naming the query (``Search result for "employer of Mira Tolvane":``) and
a document about one entity, in narrative or key-value (profile) form, stating every fact the
entity has. Each renderer returns the text and the facts it states, in text order.
"""

from __future__ import annotations

import random as _random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from memgym.tracks.research.schema import FIELDS, NOUNS, TYPES, WHO
from memgym.tracks.research.world import Entity, Task, World
from memgym.types import Fact

NARRATIVE, KV = "narrative", "kv"
RESULT_HEADER = 'Search result for "{query}":'
PROFILE_HEADER = "Profile: {E} ({N})"
PROFILE_LINE = "- {L}: {V}"
INTROS = (
    "{E} is {A} {N}.",
    "This page is about {E}, {A} {N}.",
    "{E} is {A} {N} listed in the registry.",
)
ERRATUM = "Erratum to an earlier search result: {E}'s {L} is {V}, not {P}."


def shuffle(getrandbits: Callable[[int], int], items: list[Any]) -> None:
    """Shuffle ``items`` in place with ``random.Random.shuffle``'s draws (``getrandbits`` of
    ``n.bit_length()`` bits for each place, redrawn while >= n) without its per-call overhead;
    ``tests/tracks/test_research_shuffle.py`` compares the two."""
    for i in range(len(items) - 1, 0, -1):
        n = i + 1
        k = n.bit_length()
        j = getrandbits(k)
        while j >= n:
            j = getrandbits(k)
        items[i], items[j] = items[j], items[i]


def pick_style(rng: _random.Random, style: str) -> str:
    """The style of one page: ``style``, or narrative or profile at even odds for "mixed"."""
    if style == "mixed":
        return KV if rng.random() < 0.5 else NARRATIVE
    return style


def query(task: Task, world: World, turn: int) -> str:
    """The search a turn shows results for: the field it needs, of its chain entity."""
    name = world.entities[task.chain[turn]].name
    return f"{FIELDS[task.turn_field(turn)].ask} of {name}"


@dataclass(frozen=True, slots=True)
class _Wording:
    """One entity type's patterns, prepared once at import: the entity is ``{0}``, a value
    ``{1}`` in a frame."""

    fields: tuple[tuple[str, tuple[str, ...]], ...]
    """(field name, its frames) in schema order."""
    intros: tuple[str, ...]
    profile: str
    """The whole profile as one pattern: the entity ``{0}``, the values ``{1}``, ``{2}``, ...
    in schema order (the header and lines joined)."""


def _wording(kind: str) -> _Wording:
    noun = NOUNS[kind]
    article = "an" if noun[0] in "aeiou" else "a"
    return _Wording(
        fields=tuple(
            (f.name, tuple(x.replace("{E}", "{0}").replace("{V}", "{1}") for x in f.frames))
            for f in TYPES[kind]
        ),
        intros=tuple(i.format(E="{0}", A=article, N=noun) for i in INTROS),
        profile="\n".join(
            [
                PROFILE_HEADER.format(E="{0}", N=noun),
                *(
                    PROFILE_LINE.format(L=f.label, V=f"{{{k}}}")
                    for k, f in enumerate(TYPES[kind], 1)
                ),
            ]
        ),
    )


_WORDINGS = {kind: _wording(kind) for kind in TYPES}


def document(
    rng: _random.Random, entity: Entity, style: str, facts: dict[str, Fact] | None = None
) -> tuple[str, list[Fact]]:
    """Every fact of ``entity`` as a narrative paragraph or a profile."""
    random = rng.random
    facts = entity.facts if facts is None else facts
    w = _WORDINGS[entity.kind]
    name = entity.name
    if style == KV:
        stated = [facts[field] for field, _ in w.fields]
        return w.profile.format(name, *[x.value for x in stated]), stated
    order = list(w.fields)
    shuffle(rng.getrandbits, order)
    parts = [w.intros[int(random() * len(w.intros))].format(name)]
    stated = []
    for field, frames in order:
        fact = facts[field]
        parts.append(frames[int(random() * len(frames))].format(name, fact.value))
        stated.append(fact)
    return " ".join(parts), stated


def result(rng: _random.Random, search: str, entity: Entity, style: str) -> tuple[str, list[Fact]]:
    """One search result: the query header and ``entity``'s document."""
    text, stated = document(rng, entity, style)
    return RESULT_HEADER.format(query=search) + "\n" + text, stated


def erratum(fact: Fact, was: Fact) -> str:
    """The correction of a chain link: the right value and the wrong one it replaces."""
    return ERRATUM.format(E=fact.entity, L=FIELDS[fact.attribute].label, V=fact.value, P=was.value)


def question_text(world: World, start: str, relations: list[str], attribute: str | None) -> str:
    """'What is the founding year of the employer of the mentor of Mira Tolvane?' and the like."""
    path = start
    for rel in relations:
        path = f"the {FIELDS[rel].ask} of {path}"
    if attribute is not None:
        return f"What is the {FIELDS[attribute].ask} of {path}?"
    target = FIELDS[relations[-1]].target
    return f"{WHO[target]} is {path}?"


def brief(p: dict[str, Any]) -> str:
    """The task description shown at every question; it states no fact."""
    errata = " Errata may correct earlier results." if p["corrections"] else ""
    return (
        "You are a research assistant exploring a fictional knowledge graph of researchers, "
        "organisations, towns and events. Each research task follows a chain of relations "
        f"({p['min_hops']} to {p['max_hops']} hops) through search results; every page holds "
        "the result you need among look-alike results about similarly named entities and "
        f"unrelated pages.{errata} Older turns leave your view, so keep notes of the links you "
        "find. Questions ask where a chain leads: a name, or a number about the entity at its end."
    )
