"""The web track's tests: browser tests skip with their reason when chromium or Playwright is
missing (CI installs both)."""

from __future__ import annotations

import importlib.util

import pytest

from memgym.tracks.web.browser import chromium_path


@pytest.fixture
def browser_ready() -> None:
    """Skip unless a real browser can run here."""
    if importlib.util.find_spec("playwright") is None:
        pytest.skip("playwright is not installed (pip install -e '.[web]')")
    if chromium_path() is None:
        pytest.skip("chromium is not installed (CI: apt-get install chromium)")
