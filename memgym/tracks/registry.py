"""Track registry: ``@register_track("name")`` fills a plain dict the CLI and front ends read."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import cache

from memgym.specs import register_factory
from memgym.tracks.base import Track
from memgym.types import Event, Scenario

_TRACKS: dict[str, type[Track]] = {}


def register_track(name: str) -> Callable[[type[Track]], type[Track]]:
    """Class decorator registering a Track subclass under ``name``."""
    return register_factory(_TRACKS, name, "track", named=True)


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


STREAM_CACHE_TOKENS = 30_000
"""A stream whose ``target_tokens`` is at most this (lite and standard tiers) is kept, for the
last scenario streamed: every policy and cheat of a validate unit streams the same scenario,
and its filler is generated once. A longer stream is generated lazily each time and never held
in memory at once."""
_last_stream: list[tuple[Scenario, str, tuple[Event, ...]]] = []


def stream_events(scenario: Scenario) -> Iterator[Event]:
    """Every event of ``scenario`` in step order, filler included, generated lazily by its track
    (short streams once per scenario object, see ``STREAM_CACHE_TOKENS``)."""
    if not scenario.filler:
        return iter(scenario.events)
    if _last_stream:
        kept, digest, events = _last_stream[0]
        if kept is scenario and digest == scenario.hash:
            return iter(events)
    stream = _shared(scenario.track).stream(scenario)
    if scenario.params.get("target_tokens", STREAM_CACHE_TOKENS + 1) > STREAM_CACHE_TOKENS:
        return stream
    events = tuple(stream)
    _last_stream[:] = [(scenario, scenario.hash, events)]
    return iter(events)
