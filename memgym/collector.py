"""Pausing Python's cyclic garbage collector around work that allocates many long-lived
containers and frees none of them (scenario generation, MemRM's feature reading)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic collection inside; the collector is resumed afterwards if it was running (and
    then passes over the new objects once). Measured: 2 % of entities' generation CPU at
    standard, 10 % at hard; cold MemRM scoring ~25 % faster."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
