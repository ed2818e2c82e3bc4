"""Memory registry and spec parsing: ``"agentic:policy=strategic"`` -> a configured Memory."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from memgym.memory.base import Memory
from memgym.tracks.base import Track

MemoryFactory = Callable[..., Memory]
_MEMORIES: dict[str, MemoryFactory] = {}


def register_memory(name: str) -> Callable[[MemoryFactory], MemoryFactory]:
    """Decorator registering a memory factory (a class or function) under ``name``.

    The factory is called as ``factory(track, **options)``.
    """

    def decorate(factory: MemoryFactory) -> MemoryFactory:
        if name in _MEMORIES and _MEMORIES[name] is not factory:
            raise ValueError(f"memory {name!r} is already registered")
        _MEMORIES[name] = factory
        return factory

    return decorate


def parse_spec(spec: str) -> tuple[str, dict[str, Any]]:
    """Split ``"name:key=value,key=value"`` into the name and typed options."""
    name, _, rest = spec.partition(":")
    options: dict[str, Any] = {}
    for part in filter(None, (p.strip() for p in rest.split(","))):
        key, sep, raw = part.partition("=")
        if not sep or not key.strip():
            raise ValueError(f"bad option {part!r} in spec {spec!r}: expected key=value")
        options[key.strip()] = _typed(raw.strip())
    return name.strip(), options


def _typed(raw: str) -> Any:
    for cast in (int, float):
        try:
            return cast(raw)
        except ValueError:
            pass
    return {"true": True, "false": False}.get(raw.lower(), raw)


def make_memory(spec: str, track: Track) -> Memory:
    """Build the memory named by ``spec`` for ``track``; clear errors for unknown names/options."""
    name, options = parse_spec(spec)
    try:
        factory = _MEMORIES[name]
    except KeyError:
        known = ", ".join(sorted(_MEMORIES))
        raise ValueError(f"unknown memory {name!r}; known memories: {known}") from None
    try:
        return factory(track, **options)
    except TypeError as exc:
        raise ValueError(f"bad options for memory {name!r}: {exc}") from None


def memory_names() -> list[str]:
    """Registered memory names, sorted."""
    return sorted(_MEMORIES)
