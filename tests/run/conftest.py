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
