"""A protocol's work: every episode as a ``WorkItem`` (track by track, seed-major; the stream
tracks, then the interactive ones), and the run config that names a protocol run in the results
file (what ``--resume`` finds)."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from typing import Any

from memgym.protocol.spec import SESSION_REFERENCES, Protocol
from memgym.run.work import WorkItem, stream


def items(
    protocol: Protocol,
    reasoner: str,
    tracks: Collection[str] | None = None,
    agent: str | None = None,
) -> Iterator[WorkItem]:
    """Every episode of ``protocol`` with ``reasoner`` (on an interactive track: ``agent``, by
    default the same spec), streamed in a fixed order; ``tracks``: only those tracks' (None:
    every track)."""
    for plan in protocol.plans:
        if tracks is not None and plan.track not in tracks:
            continue
        actor = (agent or reasoner) if protocol.is_session(plan.track) else reasoner
        pairs = [(memory, actor) for memory in protocol.memories_of(plan.track)]
        yield from stream(plan.track, plan.tier, plan.seeds, plan.params, pairs)


def run_config(protocol: Protocol, reasoner: str) -> dict[str, Any]:
    """The config an eval run is recorded with: the protocol and the reasoner spec (neither a
    shard nor a choice of tracks is part of it, so every shard and every ``--tracks`` subset of
    one protocol run adds to the same run)."""
    config: dict[str, Any] = {
        "command": "eval",
        "track": "+".join(protocol.track_names),
        "tier": protocol.name,
        "protocol": protocol.name,
        "protocol_version": protocol.version,
        "reasoner": reasoner,
        "tracks": [plan.to_json() for plan in protocol.tracks],
        "memories": list(protocol.memories),
    }
    if protocol.sessions:
        config["sessions"] = [plan.to_json() for plan in protocol.sessions]
        config["session_memories"] = [*SESSION_REFERENCES, *protocol.session_strategies]
    return config
