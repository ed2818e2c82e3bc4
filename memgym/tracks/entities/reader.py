"""Text -> claims: the exact inverse of render.py, plus memgym's canonical note lines.

The regular expressions are built from the frames in phrases.py (the ones render.py writes with),
so reader and writer cannot drift apart. A frame matches only a whole sentence that starts a line
or follows a sentence's final period, names an entity (capitalised words), and uses a label known
to some template; the value is then checked against that label's type and unit. Memos, briefs and
questions use none of these frames and so yield nothing.
"""

from __future__ import annotations

import re

from memgym.claims import Claim, format_number
from memgym.tracks.entities import phrases
from memgym.tracks.entities.templates import FIELDS, Field
from memgym.tracks.record_lines import item_pattern, read_lines

NAME = r"[A-Z][A-Za-z]*(?: [A-Z][A-Za-z]*)*"
_VALUE = r"(?:[^.\n]|\.(?=\d))+?"
"""A value phrase: anything up to the sentence's end; a period only inside a number."""
_PREVIOUS = r"[^()\n]+?"
_LABELS = "|".join(re.escape(label) for label in sorted(FIELDS, key=len, reverse=True))

_NAME = re.compile(NAME)
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_SERIES_SEP = re.compile(r", | and ")


def _frame_pattern(frame: str, i: int) -> str:
    """One frame as a regex alternative with groups e{i}, l{i}, v{i}, p{i} and end marker f{i}."""
    slots = {
        "{E}": f"(?P<e{i}>{NAME})",
        "{L}": f"(?P<l{i}>{_LABELS})",
        "{V}": f"(?P<v{i}>{_VALUE})",
    }
    slots["{P}"] = f"(?P<p{i}>{_PREVIOUS})"
    out = re.escape(frame)
    for slot, group in slots.items():
        out = out.replace(re.escape(slot), group)
    return out + rf"(?=\s|$)(?P<f{i}>)"


def _all_frames() -> list[str]:
    frames = list(phrases.CORRECTION_FRAMES)
    for group in phrases.FRAMES_BY_KIND.values():
        frames.extend(f for f in group if f not in frames)
    return frames


_FRAMES = _all_frames()
_SENTENCE = re.compile(
    r"(?:^|(?<=\. ))(?:" + "|".join(_frame_pattern(f, i) for i, f in enumerate(_FRAMES)) + ")",
    re.MULTILINE,
)
_GROUPS: dict[int, tuple[int, int, int, int | None]] = {}
"""end-marker group index -> group indices of (entity, label, value, previous or None)."""
for _i in range(len(_FRAMES)):
    _ix = _SENTENCE.groupindex
    _GROUPS[_ix[f"f{_i}"]] = (_ix[f"e{_i}"], _ix[f"l{_i}"], _ix[f"v{_i}"], _ix.get(f"p{_i}"))


def _header_pattern(header: str) -> str:
    out = re.escape(header).replace(re.escape("{N}"), r"[A-Z][a-z]*(?: [a-z]+)*")
    return out.replace(re.escape("{E}"), f"(?P<e>{NAME})")


_HEADERS = tuple(
    re.compile("^" + _header_pattern(h) + r"\s*$")
    for h in (phrases.KV_DOC_HEADER, phrases.KV_UPDATE_HEADER)
)
_KV_LINE = item_pattern(phrases.KV_LINE, _LABELS)


def _header(line: str) -> str | None:
    """The entity a key-value header line opens, or None."""
    if ": " not in line:
        return None
    for pattern in _HEADERS:
        m = pattern.match(line)
        if m is not None:
            return m.group("e")
    return None


def value_text(field: Field, phrase: str) -> str | None:
    """The canonical value text in a value phrase for ``field``, or None if it does not fit."""
    if field.unit:
        if not phrase.endswith(" " + field.unit):
            return None
        phrase = phrase[: -len(field.unit) - 1]
    phrase = phrase.strip()
    kind = field.kind
    if kind in ("int", "float"):
        if not _NUMBER.fullmatch(phrase):
            return None
        return format_number(float(phrase)) if "." in phrase else str(int(phrase))
    if kind == "series":
        parts = _SERIES_SEP.split(phrase)
        if len(parts) < 2 or not all(_NUMBER.fullmatch(p) for p in parts):
            return None
        return ", ".join(format_number(float(p)) if "." in p else str(int(p)) for p in parts)
    if kind == "date":
        return phrase if _DATE.fullmatch(phrase) else None
    if kind == "relation":
        return phrase if _NAME.fullmatch(phrase) else None
    return phrase or None


def _sentences(line: str, out: list[Claim]) -> None:
    for m in _SENTENCE.finditer(line):
        e, l, v, p = _GROUPS[m.lastindex or 0]
        field = FIELDS[m.group(l)]
        value = value_text(field, m.group(v))
        if value is None:
            continue
        previous = None
        if p is not None:
            previous = value_text(field, m.group(p))
            if previous is None:
                continue
        out.append(Claim(m.group(e), field.name, value, previous))


def _item(line: str) -> tuple[str, str | None] | None:
    item = _KV_LINE.match(line)
    if item is None:
        return None
    field = FIELDS[item.group("l")]
    return field.name, value_text(field, item.group("v"))


def read(text: str) -> list[Claim]:
    """Every claim in ``text``, in text order: prose of both styles, corrections, note lines."""
    return read_lines(text, _header, _item, _sentences)
