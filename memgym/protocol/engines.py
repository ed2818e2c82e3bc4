"""The engines the tracks of a protocol run need, checked before anything runs.

An interactive track acts on a real world: tau2 on τ²-bench (a venv of its own), swe in
bubblewrap's sandbox, web in Debian's chromium driven by Playwright. Each track says what it
needs (``Track.require``); ``missing`` collects one line per track whose engine is not here, so
``memgym eval`` stops before the estimate or any episode.
"""

from __future__ import annotations

from collections.abc import Iterable

from memgym.tracks import get_track


def missing(tracks: Iterable[str]) -> list[str]:
    """One line per track of ``tracks`` whose engine is missing here: ``track: what to do``."""
    lines = []
    for name in tracks:
        try:
            get_track(name).require()
        except ValueError as exc:  # MissingExtra is one
            lines.append(f"{name}: {exc}")
    return lines
