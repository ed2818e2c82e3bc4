"""The line loop of the tracks' scripted readers: note lines, record blocks (a header line that
names an entity, then one ``label: value`` line a field) and prose, each line read once."""

from __future__ import annotations

import re
from collections.abc import Callable

from memgym.claims import Claim, parse_notes

Header = Callable[[str], "str | None"]
"""The entity a header line opens a record block for, or None for any other line."""
Item = Callable[[str], "tuple[str, str | None] | None"]
"""A record line's field name and its value (None: a value that does not fit the field), or
None for a line that is not a record line (it closes the block)."""
Prose = Callable[[str, list[Claim]], None]
"""Appends the claims of a line of prose."""


def item_pattern(frame: str, labels: str) -> re.Pattern[str]:
    """A whole record line written with ``frame`` (its ``{L}`` one of ``labels``, a regex
    alternation): groups ``l`` (the label) and ``v`` (the value)."""
    return re.compile(
        "^"
        + re.escape(frame)
        .replace(re.escape("{L}"), f"(?P<l>{labels})")
        .replace(re.escape("{V}"), "(?P<v>.+?)")
        + r"\s*$"
    )


def read_lines(text: str, header: Header, item: Item, prose: Prose) -> list[Claim]:
    """Every claim in ``text``, in text order: a line with ``|`` is a note line; a header opens a
    record block whose lines ``item`` reads; any other line is prose."""
    claims: list[Claim] = []
    entity: str | None = None
    for line in text.splitlines():
        if "|" in line:
            claims.extend(parse_notes(line))
            entity = None
            continue
        opened = header(line)
        if opened is not None:
            entity = opened
            continue
        if entity is not None:
            found = item(line)
            if found is not None:
                name, value = found
                if value is not None:
                    claims.append(Claim(entity, name, value))
                continue
            entity = None
        prose(line, claims)
    return claims
