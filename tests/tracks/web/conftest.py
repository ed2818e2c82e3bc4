"""The web track's tests: browser tests skip with their reason when chromium or Playwright is
missing (CI installs both)."""

from __future__ import annotations

import pytest

from tests.engines import require


@pytest.fixture
def browser_ready() -> None:
    """Skip unless a real browser can run here."""
    require("web")
