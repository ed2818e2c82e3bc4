"""Memory registry: ``"agentic:policy=strategic"`` -> a configured Memory (specs parsed by
``memgym.specs``, re-exported here as ``parse_spec``)."""

from __future__ import annotations

from collections.abc import Callable

from memgym.memory.base import Memory
from memgym.specs import parse_spec
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
