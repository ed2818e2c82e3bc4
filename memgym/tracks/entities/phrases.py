"""The one place where the track's statement wording lives; render.py writes it, reader.py reads it.

Placeholders: ``{E}`` the entity name, ``{L}`` the attribute's label, ``{V}`` the value phrase (the
value, then its unit if any), ``{P}`` the previous value phrase of a correction, ``{N}`` the
domain noun. Every statement frame is one sentence ending in a period; the reader turns each frame
into a regular expression, so a new frame here is readable the moment it exists. Only correction
frames state two values for one attribute, and they mark which one is current.
"""

from __future__ import annotations

NUMBER_FRAMES = (
    "{E}'s {L} is {V}.",
    "The {L} of {E} stands at {V}.",
    "{E} reports its {L} as {V}.",
    "For {E}, the {L} comes to {V}.",
)
WORD_FRAMES = (
    "{E}'s {L} is {V}.",
    "The {L} of {E} is {V}.",
    "{E} lists {V} as its {L}.",
    "For {E}, the {L} is {V}.",
)
DATE_FRAMES = (
    "{E}'s {L} was {V}.",
    "The {L} of {E} fell on {V}.",
    "{E} gives {V} as its {L}.",
)
SERIES_FRAMES = (
    "{E}'s {L} over the last four quarters was {V}.",
    "Over the last four quarters, the {L} of {E} ran {V}.",
    "{E} recorded {L} of {V} across the last four quarters.",
)
RELATION_FRAMES = (
    "{E}'s {L} is {V}.",
    "{E} names {V} as its {L}.",
    "The {L} of {E} is {V}.",
)
FRAMES_BY_KIND: dict[str, tuple[str, ...]] = {
    "int": NUMBER_FRAMES,
    "float": NUMBER_FRAMES,
    "text": WORD_FRAMES,
    "enum": WORD_FRAMES,
    "date": DATE_FRAMES,
    "series": SERIES_FRAMES,
    "relation": RELATION_FRAMES,
}
"""Narrative frames per field kind (an attribute type, or ``relation``)."""

CORRECTION_FRAMES = (
    "Correction: the {L} of {E} is now {V} (previously reported {P}).",
    "Correction: {E}'s {L} is now {V} (previously reported {P}).",
)

KV_LINE = "{L}: {V}"
"""One line of a key-value document; the entity comes from the header line above it."""
KV_DOC_HEADER = "{N} fact sheet: {E}"
KV_UPDATE_HEADER = "{N} status update: {E}"

DOC_INTROS = (
    "Profile: {E}, one of the {plural} in this file.",
    "This note describes {E}, {a_noun}.",
    "Background on {E} follows.",
    "Here is what the file says about {E}.",
)
UPDATE_INTROS = (
    "Latest figures for {E}.",
    "A short status note on {E}.",
    "Recent numbers from {E}.",
)

SERIES_LAST = " and "
"""Joins the last two numbers of a series in prose: "1.5, 2, 3 and 4.25"."""


def article(noun: str) -> str:
    """``noun`` with its indefinite article ("an agent team", "a city")."""
    return ("an " if noun[0] in "aeiou" else "a ") + noun
