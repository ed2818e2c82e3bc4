"""A protocol's work: every episode as a ``WorkItem`` (track by track, seed-major), and the
run config that names a protocol run in the results file (what ``--resume`` finds)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from memgym.protocol.spec import Protocol
from memgym.run.work import WorkItem, stream


def items(protocol: Protocol, reasoner: str) -> Iterator[WorkItem]:
    """Every episode of ``protocol`` with ``reasoner``, streamed in a fixed order."""
    pairs = [(memory, reasoner) for memory in protocol.memories]
    for plan in protocol.tracks:
        yield from stream(plan.track, plan.tier, plan.seeds, plan.params, pairs)


def run_config(protocol: Protocol, reasoner: str) -> dict[str, Any]:
    """The config an eval run is recorded with: the protocol and the reasoner spec (a shard
    is not part of it, so every shard of one protocol run adds to the same run)."""
    return {
        "command": "eval",
        "track": "+".join(plan.track for plan in protocol.tracks),
        "tier": protocol.name,
        "protocol": protocol.name,
        "protocol_version": protocol.version,
        "reasoner": reasoner,
        "tracks": [plan.to_json() for plan in protocol.tracks],
        "memories": list(protocol.memories),
    }
