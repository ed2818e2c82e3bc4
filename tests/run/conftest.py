"""Fixtures shared by the run tests."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    """One local Ray instance with 2 CPUs (2 concurrent worker processes) for the module."""
    ray = pytest.importorskip("ray", reason="the Ray executor needs the 'ray' extra")
    from memgym.run.ray_executor import connect

    if ray.is_initialized():
        ray.shutdown()
    assert connect(num_cpus=2)
    yield ray
    ray.shutdown()


@pytest.fixture
def unsandboxed(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Workers started without the sandbox (``MEMGYM_SANDBOX=off``) for one test, with the
    bubblewrap lookup and the worker pool reset on both sides, so no worker outlives the test's
    setting: the red-team tests' control that shows each attack works where nothing stops it."""
    from memgym.run import sandbox
    from memgym.run.remote import close_workers

    monkeypatch.setenv(sandbox.SANDBOX_ENV, "off")
    sandbox._bwrap.cache_clear()
    close_workers()
    yield
    monkeypatch.delenv(sandbox.SANDBOX_ENV)
    sandbox._bwrap.cache_clear()
    close_workers()
