"""Server slots for local servers with a prompt cache per slot (llama.cpp's ``llama-server -np N``).

Such a server reuses the longest prefix a slot already holds. Episodes run concurrently, so if
the server picks slots itself, one episode's next request often lands on a slot another episode
just used, and its prompt is processed again from the start. An agent with ``slots=N`` takes one
slot for its life (``id_slot`` and ``cache_prompt: true`` in each request body, which llama.cpp's
server reads) and gives it back when closed. The pool is process-wide per endpoint: it hands out
the lowest free slot, or, with more live agents than slots, the one shared by the fewest.
"""

from __future__ import annotations

import threading

_POOLS: dict[tuple[str, int], SlotPool] = {}
_POOLS_LOCK = threading.Lock()


class SlotPool:
    """Slots 0 .. n-1 of one server, each with the number of agents holding it."""

    def __init__(self, n: int) -> None:
        if n < 1:
            raise ValueError(f"slots must be at least 1, got {n}")
        self.holders = [0] * n
        self._lock = threading.Lock()

    def take(self) -> int:
        """The slot to use: the lowest one with the fewest holders."""
        with self._lock:
            slot = min(range(len(self.holders)), key=lambda i: (self.holders[i], i))
            self.holders[slot] += 1
            return slot

    def give(self, slot: int) -> None:
        """Give ``slot`` back."""
        with self._lock:
            self.holders[slot] = max(0, self.holders[slot] - 1)


def slot_pool(base_url: str | None, n: int) -> SlotPool:
    """The process-wide pool of ``n`` slots of the server at ``base_url``."""
    with _POOLS_LOCK:
        key = (base_url or "", n)
        if key not in _POOLS:
            _POOLS[key] = SlotPool(n)
        return _POOLS[key]
