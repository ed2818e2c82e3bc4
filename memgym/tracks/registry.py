"""Track registry: ``@register_track("name")`` fills a plain dict the CLI and front ends read."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import cache

from memgym.tracks.base import Track
from memgym.types import Event, Scenario

_TRACKS: dict[str, type[Track]] = {}


def register_track(name: str) -> Callable[[type[Track]], type[Track]]:
    """Class decorator registering a Track subclass under ``name``."""

    def decorate(cls: type[Track]) -> type[Track]:
        if name in _TRACKS and _TRACKS[name] is not cls:
            raise ValueError(f"track {name!r} is already registered")
        cls.name = name
        _TRACKS[name] = cls
        return cls

    return decorate


def get_track(name: str) -> Track:
    """A fresh instance of the track registered as ``name``."""
    try:
        return _TRACKS[name]()
    except KeyError:
        known = ", ".join(sorted(_TRACKS)) or "none"
        raise KeyError(f"unknown track {name!r}; registered tracks: {known}") from None


def track_names() -> list[str]:
    """Registered track names, sorted."""
    return sorted(_TRACKS)


def stream_track_names() -> list[str]:
    """Registered question-stream tracks (not interactive), sorted: the tracks the Gymnasium
    environment and the Inspect tasks serve."""
    return sorted(name for name, cls in _TRACKS.items() if not cls.interactive)


@cache
def _shared(name: str) -> Track:
    return get_track(name)


def stream_events(scenario: Scenario) -> Iterator[Event]:
    """Every event of ``scenario`` in step order, filler included, generated lazily by its track."""
    if not scenario.filler:
        return iter(scenario.events)
    return _shared(scenario.track).stream(scenario)
