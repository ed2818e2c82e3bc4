import pytest

from memgym.tracks import get_track


@pytest.fixture(scope="session")
def track():
    return get_track("entities")


@pytest.fixture(scope="session")
def lite(track):
    """A few lite scenarios with different seeds and both document styles."""
    return [track.generate(seed, "lite", doc_style=style) for seed in range(3) for style in ("narrative", "kv")]
