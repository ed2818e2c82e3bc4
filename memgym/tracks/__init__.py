"""Tracks: one sub-package per track, each registering itself on import."""

from memgym.tracks import entities  # noqa: F401  (registers the track)
from memgym.tracks.base import Track
from memgym.tracks.registry import get_track, register_track, track_names

__all__ = ["Track", "get_track", "register_track", "track_names"]
