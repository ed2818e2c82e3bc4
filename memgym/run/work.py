"""The work of a run: one item per episode, in a fixed order, with a key that names it before it
runs (what ``--resume`` skips) and a deterministic split into shards."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class WorkItem:
    """One episode to run: a scenario (track, tier, seed, overrides) and a memory/reasoner pair."""

    track: str
    tier: str | None
    seed: int
    overrides: tuple[tuple[str, Any], ...]
    memory: str
    reasoner: str
    isolate: bool = False
    """Run the pair behind the boundary even when it is memgym's own (``memgym.run.trust``)."""
    plugins: tuple[str, ...] = ()
    """Modules the worker imports (their memories and reasoners are named by the specs)."""

    @property
    def key(self) -> str:
        """Stable text naming the episode within a run (stored as the episode's key)."""
        params = json.dumps(dict(self.overrides), sort_keys=True, separators=(",", ":"))
        return "|".join(
            (self.track, self.tier or "", str(self.seed), params, self.memory, self.reasoner)
        )


def stream(
    track: str,
    tier: str | None,
    seeds: Iterable[int],
    overrides: dict[str, Any],
    pairs: Sequence[tuple[str, str]],
    isolate: bool = False,
    plugins: Sequence[str] = (),
) -> Iterator[WorkItem]:
    """Every (seed, pair) episode, seed-major, pairs in the order given, one at a time (a run
    of any length is never listed in memory); ``isolate`` and ``plugins``: see ``WorkItem``."""
    fixed = tuple(sorted(overrides.items()))
    for s in seeds:
        for m, r in pairs:
            yield WorkItem(track, tier, s, fixed, m, r, isolate, tuple(plugins))


def parse_shard(text: str) -> tuple[int, int]:
    """``"i/N"`` (1-based: shards 1/N .. N/N) as ``(i, N)``; ``ValueError`` when malformed."""
    index, sep, count = text.partition("/")
    try:
        i, n = int(index), int(count)
    except ValueError:
        i, n = 0, 0
    if not sep or n < 1 or not 1 <= i <= n:
        raise ValueError(f"bad --shard {text!r}: expected i/N with 1 <= i <= N, e.g. 1/4")
    return i, n


def shard(items: Sequence[WorkItem], index: int, count: int) -> list[WorkItem]:
    """Shard ``index`` of ``count`` (1-based): items sorted by key, every ``count``-th from
    position ``index - 1``. The ``count`` shards partition the items."""
    if count < 1 or not 1 <= index <= count:
        raise ValueError(f"shard {index}/{count} does not exist")
    ordered = sorted(items, key=lambda item: item.key)
    return ordered[index - 1 :: count]
