"""Why an interactive track's engine cannot run here, one reason per engine spelled with the
install that fixes it: the tests that need bubblewrap (swe), Playwright and chromium (web) or
τ²-bench (tau2) skip with it."""

from __future__ import annotations

import importlib.util

import pytest

from memgym.tracks.swe.sandbox import bwrap
from memgym.tracks.tau2 import loader
from memgym.tracks.web.browser import chromium_path

BUBBLEWRAP = "bubblewrap is not installed (apt-get install bubblewrap)"
PLAYWRIGHT = "playwright is not installed (pip install -e '.[web]')"
CHROMIUM = "chromium is not installed (CI: apt-get install chromium)"


def missing(track: str) -> str | None:
    """Why ``track``'s engine cannot run here, or None when it can (or needs none)."""
    if track == "swe":
        return None if bwrap() else BUBBLEWRAP
    if track == "web":
        if importlib.util.find_spec("playwright") is None:
            return PLAYWRIGHT
        return None if chromium_path() else CHROMIUM
    if track == "tau2":
        return None if loader.available() else loader.MISSING
    return None


def require(track: str) -> None:
    """Skip the running test, with the reason, unless ``track``'s engine can run here."""
    reason = missing(track)
    if reason is not None:
        pytest.skip(reason)


def needs(track: str) -> pytest.MarkDecorator:
    """A mark that skips a test or module, with the reason, unless ``track``'s engine can run."""
    reason = missing(track)
    return pytest.mark.skipif(reason is not None, reason=reason or "")
