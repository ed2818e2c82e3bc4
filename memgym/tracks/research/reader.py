"""Text -> claims: the exact inverse of render.py, plus memgym's canonical note lines.

Patterns are built from the schema's frames and labels (the ones render.py writes with), so
reader and writer cannot drift apart. A frame matches only a whole sentence that starts a line
or follows a sentence's final period; the value must fit the field (digits for attributes, a
capitalised name for relations). Query headers, filler pages, the brief and questions use none
of these forms and so yield nothing.
"""

from __future__ import annotations

import re

from memgym.claims import Claim
from memgym.tracks.record_lines import item_pattern, read_lines
from memgym.tracks.research import render
from memgym.tracks.research.schema import BY_LABEL, FIELDS, NOUNS, Field

NAME = r"[A-Z][A-Za-z]*(?: [A-Z][A-Za-z]*)*"
NUMBER = r"\d+"
_LABELS = "|".join(re.escape(label) for label in sorted(BY_LABEL, key=len, reverse=True))
_NAME = re.compile(NAME)
_NUMBER = re.compile(NUMBER)


def _value(field: Field) -> str:
    return NAME if field.relation else NUMBER


def _frame_pattern(frame: str, field: Field, i: int) -> str:
    out = re.escape(frame)
    out = out.replace(re.escape("{E}"), f"(?P<e{i}>{NAME})")
    out = out.replace(re.escape("{V}"), f"(?P<v{i}>{_value(field)})")
    return out + rf"(?=\s|$)(?P<f{i}>)"


_FRAMES = [(frame, f) for f in FIELDS.values() for frame in f.frames]
_SENTENCE = re.compile(
    r"(?:^|(?<=\. ))(?:"
    + "|".join(_frame_pattern(frame, f, i) for i, (frame, f) in enumerate(_FRAMES))
    + ")",
    re.MULTILINE,
)
_GROUPS: dict[int, tuple[int, int, str]] = {
    _SENTENCE.groupindex[f"f{i}"]: (
        _SENTENCE.groupindex[f"e{i}"],
        _SENTENCE.groupindex[f"v{i}"],
        f.name,
    )
    for i, (_, f) in enumerate(_FRAMES)
}
"""end-marker group index -> (entity group, value group, field name)."""

_NOUNS = "|".join(re.escape(n) for n in NOUNS.values())
_PROFILE = re.compile(
    "^"
    + re.escape(render.PROFILE_HEADER)
    .replace(re.escape("{E}"), f"(?P<e>{NAME})")
    .replace(re.escape("{N}"), f"(?:{_NOUNS})")
    + r"\s*$"
)
_LINE = item_pattern(render.PROFILE_LINE, _LABELS)
_ERRATUM = re.compile(
    "^"
    + re.escape(render.ERRATUM)
    .replace(re.escape("{E}"), f"(?P<e>{NAME})")
    .replace(re.escape("{L}"), f"(?P<l>{_LABELS})")
    .replace(re.escape("{V}"), f"(?P<v>{NAME}|{NUMBER})")
    .replace(re.escape("{P}"), f"(?P<p>{NAME}|{NUMBER})")
    + r"\s*$"
)


def _fits(field: Field, value: str) -> bool:
    return bool((_NAME if field.relation else _NUMBER).fullmatch(value))


def _header(line: str) -> str | None:
    m = _PROFILE.match(line)
    return None if m is None else m.group("e")


def _item(line: str) -> tuple[str, str | None] | None:
    item = _LINE.match(line)
    if item is None:
        return None
    field = BY_LABEL[item.group("l")]
    value = item.group("v")
    return field.name, value if _fits(field, value) else None


def _prose(line: str, claims: list[Claim]) -> None:
    m = _ERRATUM.match(line)
    if m is not None:
        field = BY_LABEL[m.group("l")]
        if _fits(field, m.group("v")) and _fits(field, m.group("p")):
            claims.append(Claim(m.group("e"), field.name, m.group("v"), m.group("p")))
        return
    for s in _SENTENCE.finditer(line):
        e, v, name = _GROUPS[s.lastindex or 0]
        claims.append(Claim(s.group(e), name, s.group(v)))


def read(text: str) -> list[Claim]:
    """Every claim in ``text``, in text order: narrative, profiles, errata and note lines."""
    return read_lines(text, _header, _item, _prose)
