"""The test track of the loop's tests, registered for the test and removed after it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from memgym.tracks import registry
from tests.interactive.careful_model import model_url  # noqa: F401  (a fixture of these tests)
from tests.interactive.world import CodesTrack

NAME = "test-codes"


@pytest.fixture
def codes_track() -> Iterator[CodesTrack]:
    registry.register_track(NAME)(CodesTrack)
    try:
        yield CodesTrack()
    finally:
        registry._TRACKS.pop(NAME, None)
        registry._shared.cache_clear()
