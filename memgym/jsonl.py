"""JSON Lines input: each non-blank line one JSON object, a bad line named in a one-line
``ValueError``."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any


def json_objects(lines: Iterable[str], source: str = "") -> Iterator[tuple[int, dict[str, Any]]]:
    """Each non-blank line of ``lines`` as its number (from 1) and its JSON object; a
    ``ValueError`` "SOURCE: line N is not JSON: why" (or "... is not a JSON object", or "SOURCE: not
    UTF-8 text (after line N)") for a bad one (``source``, e.g. the file's path, left out when empty)."""
    prefix = f"{source}: " if source else ""
    read = iter(lines)
    number = 0
    while True:
        try:
            line = next(read)
        except StopIteration:
            return
        except UnicodeDecodeError:  # a file opened as UTF-8 decodes a block at a time as it is read
            raise ValueError(f"{prefix}not UTF-8 text (after line {number})") from None
        number += 1
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{prefix}line {number} is not JSON: {exc.msg}") from None
        if not isinstance(value, dict):
            raise ValueError(f"{prefix}line {number} is not a JSON object")  # noqa: TRY004 (exit 2)
        yield number, value
