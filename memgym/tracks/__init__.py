"""Tracks: one sub-package per track, each registering itself on import."""

# Import order is registration order, the order tracks are listed in: not alphabetical.
from memgym.tracks import entities  # noqa: F401, I001  (registers the track)
from memgym.tracks import codeqa  # noqa: F401  (registers the track)
from memgym.tracks import research  # noqa: F401  (registers the track)
from memgym.tracks import dialogue  # noqa: F401  (registers the track)
from memgym.tracks import swe  # noqa: F401  (registers the track)
from memgym.tracks import web  # noqa: F401  (registers the track)
from memgym.tracks.base import Track, fill_gaps
from memgym.tracks.registry import (
    get_track,
    register_track,
    stream_events,
    stream_track_names,
    track_names,
)

__all__ = [
    "Track",
    "fill_gaps",
    "get_track",
    "register_track",
    "stream_events",
    "stream_track_names",
    "track_names",
]
