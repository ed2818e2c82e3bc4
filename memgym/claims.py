"""Claims: facts as a reader finds them in text, and memgym's canonical note format.

A claim says "entity.attribute is value" (optionally "and was previous before"). Tracks turn their
own prose into claims with a reader; scripted policies write what they keep in the canonical
note format below, one record per line, which every track's reader also understands::

    Vantor Labs | revenue_musd=45.2 (was 41.0); founded=2011; partner=Quell Systems

Values never contain ``|``, ``;`` or ``=``; series are comma-separated numbers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from memgym.caches import per_scenario
from memgym.types import Value


@dataclass(frozen=True, slots=True)
class Claim:
    """``entity.attribute == value`` as stated in some text; ``previous`` if the text says so."""

    entity: str
    attribute: str
    value: str
    previous: str | None = None


def format_number(x: float) -> str:
    """Canonical text for a number: integers plain, floats with at most two decimals."""
    if isinstance(x, bool):
        raise TypeError("booleans are not values")
    if isinstance(x, int):
        return str(x)
    text = f"{x:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def format_value(value: Value) -> str:
    """Canonical text for any fact value."""
    if isinstance(value, list):
        return ", ".join(format_number(v) for v in value)
    if isinstance(value, (int, float)):
        return format_number(value)
    return value


def parse_number(text: str) -> float | None:
    """The number in canonical text, or None if it is not one."""
    try:
        return float(text.replace(",", "")) if text.strip() else None
    except ValueError:
        return None


def parse_series(text: str) -> list[float] | None:
    """A comma-separated series of numbers, or None."""
    parts = [p.strip() for p in text.split(",")]
    if len(parts) < 2:
        return None
    values = [parse_number(p) for p in parts]
    return None if any(v is None for v in values) else [v for v in values if v is not None]


def render_record(entity: str, items: Sequence[tuple[str, str, str | None]]) -> str:
    """One note line: ``entity | attr=value (was old); ...`` from (attribute, value, previous)."""
    parts = []
    for attribute, value, previous in items:
        part = f"{attribute}={value}"
        if previous is not None:
            part += f" (was {previous})"
        parts.append(part)
    return f"{entity} | " + "; ".join(parts)


def render_claims(claims: Iterable[Claim]) -> str:
    """Note lines for claims, one line per entity, in first-seen order."""
    by_entity: dict[str, list[tuple[str, str, str | None]]] = {}
    for c in claims:
        by_entity.setdefault(c.entity, []).append((c.attribute, c.value, c.previous))
    return "\n".join(render_record(e, items) for e, items in by_entity.items())


_RECORD = re.compile(r"^\s*([^|\n=;]+?)\s*\|\s*(.+?)\s*$")
_ITEM = re.compile(r"^\s*([A-Za-z_][\w]*)\s*=\s*(.+?)(?:\s*\(was ([^()]*)\))?\s*$")


def parse_notes(text: str) -> list[Claim]:
    """Claims from every canonical note line in ``text`` (other lines are ignored)."""
    claims: list[Claim] = []
    for line in text.splitlines():
        if "|" in line:
            claims.extend(_parse_line(line))
    return claims


@per_scenario
@lru_cache(maxsize=1 << 16)
def _parse_line(line: str) -> tuple[Claim, ...]:
    """The claims of one line (memoised: a packed entry is edited one record at a time, and
    every policy and reasoner reads the same records)."""
    m = _RECORD.match(line)
    if m is None:
        return ()
    entity = m.group(1)
    claims = []
    for item in m.group(2).split(";"):
        im = _ITEM.match(item)
        if im is not None:
            claims.append(Claim(entity, im.group(1), im.group(2), im.group(3)))
    return tuple(claims)
