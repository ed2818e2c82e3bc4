"""Caches of one scenario's texts, emptied when a process moves on to another scenario.

Readers, scorers and stores memoise what every policy of one scenario reads again (event and
entry texts, note lines, answer names). Across scenarios those texts hardly repeat, so a cache
bounded only by its entry count fills with the texts of hundreds of past scenarios and memory
grows with the number of episodes. A cache registered here (``per_scenario`` for a module-level
one, ``own`` for an object with a ``clear_scenario_caches`` method) is emptied by
``next_scenario`` whenever the scenario changes, so memory stays flat in the number of episodes.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])

_CLEARS: list[Callable[[], None]] = []
_OWNERS: weakref.WeakSet[Any] = weakref.WeakSet()
_lock = threading.Lock()
_current: str | None = None


def per_scenario(cached: F) -> F:
    """Register a ``functools.lru_cache``-wrapped function (returned as is) to be emptied by
    ``next_scenario``."""
    _CLEARS.append(cached.cache_clear)  # type: ignore[attr-defined]
    return cached


def on_next_scenario(clear: Callable[[], None]) -> None:
    """Register a function that empties a module-level cache at each ``next_scenario``."""
    _CLEARS.append(clear)


def own(owner: Any) -> None:
    """Empty ``owner.clear_scenario_caches()`` at each ``next_scenario`` while it lives."""
    _OWNERS.add(owner)


def next_scenario(key: str) -> None:
    """This process now works on scenario ``key`` (its hash): when it differs from the last
    one, every registered cache is emptied."""
    global _current
    with _lock:
        if key == _current:
            return
        _current = key
        owners = list(_OWNERS)
    for clear in _CLEARS:
        clear()
    for owner in owners:
        owner.clear_scenario_caches()
