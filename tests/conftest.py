import os

import pytest

# Tests generate swe scenarios afresh (some change the generator); the task cache's own tests
# turn it on in a temporary folder.
os.environ["MEMGYM_SWE_CACHE"] = "off"

from memgym.tracks import get_track


@pytest.fixture(scope="session")
def track():
    return get_track("entities")


@pytest.fixture(scope="session")
def lite(track):
    """A few lite scenarios with different seeds and both document styles."""
    return [
        track.generate(seed, "lite", doc_style=style)
        for seed in range(3)
        for style in ("narrative", "kv")
    ]


@pytest.fixture(scope="module", autouse=True)
def _no_browser_outlives_its_module():
    """End the main thread's pooled chromium after each module that started one: Playwright's
    sync API holds an event loop running in its thread while it lives, so ``asyncio.run`` in a
    later module (the LLM client, the verl adapter) would refuse to start."""
    yield
    import sys

    pool = sys.modules.get("memgym.tracks.web.pool")
    if pool is not None and pool.pooled() is not None:
        pool.close_pooled()
