"""Memory registry: ``"agentic:policy=strategic"`` -> a configured Memory (the spec read by
``memgym.specs``)."""

from __future__ import annotations

from collections.abc import Callable

from memgym.memory.base import Memory
from memgym.specs import factory_module, make_named, register_factory
from memgym.tracks.base import Track

MemoryFactory = Callable[..., Memory]
_MEMORIES: dict[str, MemoryFactory] = {}


def register_memory(name: str) -> Callable[[MemoryFactory], MemoryFactory]:
    """Decorator registering a memory factory (a class or function) under ``name``.

    The factory is called as ``factory(track, **options)``.
    """
    return register_factory(_MEMORIES, name, "memory")


def make_memory(spec: str, track: Track) -> Memory:
    """Build the memory named by ``spec`` for ``track``; clear errors for unknown names/options."""
    return make_named(spec, track, _MEMORIES, "memory", "memories")


def memory_names() -> list[str]:
    """Registered memory names, sorted."""
    return sorted(_MEMORIES)


def memory_factory(name: str) -> MemoryFactory | None:
    """The factory registered as memory ``name`` (None when none is, in this process)."""
    return _MEMORIES.get(name)


def memory_module(name: str) -> str | None:
    """The module that registered memory ``name`` (None when no module did, in this process)."""
    return factory_module(_MEMORIES, name)
