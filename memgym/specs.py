"""Spec text to typed options: ``"name:key=value,..."`` (memories, reasoners, agents) and the
values of ``--param KEY=VALUE``; light, so the CLI can parse without importing the registries."""

from __future__ import annotations

from typing import Any


def parse_spec(spec: str) -> tuple[str, dict[str, Any]]:
    """Split ``"name:key=value,key=value"`` into the name and typed options."""
    name, _, rest = spec.partition(":")
    options: dict[str, Any] = {}
    for part in filter(None, (p.strip() for p in rest.split(","))):
        key, sep, raw = part.partition("=")
        if not sep or not key.strip():
            raise ValueError(f"bad option {part!r} in spec {spec!r}: expected key=value")
        options[key.strip()] = typed_value(raw.strip())
    return name.strip(), options


def typed_value(raw: str) -> Any:
    """``raw`` as an int, else a float, else True/False for ``true``/``false`` (any case), else
    the text itself."""
    for cast in (int, float):
        try:
            return cast(raw)
        except ValueError:
            pass
    return {"true": True, "false": False}.get(raw.lower(), raw)
