"""CPU time per part of a workload: wrap a function where it is looked up so that every call
adds its process CPU seconds to a counter under a label (the profiling benches' shared helper)."""

from __future__ import annotations

import functools
import time
from collections import Counter
from typing import Any


def time_calls(owner: Any, name: str, label: str, spent: Counter[str]) -> None:
    """Replace ``owner.name`` by a wrapper that adds each call's CPU time to ``spent[label]``
    (nested timed calls count in both labels)."""
    inner = getattr(owner, name)

    @functools.wraps(inner)
    def timed(*args: Any, **kwargs: Any) -> Any:
        start = time.process_time()
        try:
            return inner(*args, **kwargs)
        finally:
            spent[label] += time.process_time() - start

    setattr(owner, name, timed)
