"""A protocol's work: every episode as a ``WorkItem`` (track by track, seed-major; the stream
tracks, then the interactive ones), and the run config that names a protocol run in the results
file (what ``--resume`` finds). Third-party memories (``memgym eval --plugin``) run beside the
protocol's own on every track, after them, in a worker importing the plugins."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass
from typing import Any

from memgym.protocol.spec import SESSION_REFERENCES, Protocol
from memgym.run.work import WorkItem


@dataclass(frozen=True)
class Plugins:
    """Third-party memories evaluated beside the protocol's own: their specs, and the modules
    (``--plugin``, located) a worker imports to build them."""

    memories: tuple[str, ...] = ()
    modules: tuple[str, ...] = ()


def items(
    protocol: Protocol,
    reasoner: str,
    tracks: Collection[str] | None = None,
    agent: str | None = None,
    plugins: Plugins = Plugins(),
) -> Iterator[WorkItem]:
    """Every episode of ``protocol`` with ``reasoner`` (on an interactive track: ``agent``, by
    default the same spec), streamed in a fixed order; ``tracks``: only those tracks' (None:
    every track). Each seed runs the protocol's memories, then ``plugins``' (behind the
    boundary)."""
    for plan in protocol.plans:
        if tracks is not None and plan.track not in tracks:
            continue
        actor = (agent or reasoner) if protocol.is_session(plan.track) else reasoner
        fixed = tuple(sorted(plan.params.items()))
        for seed in plan.seeds:
            for memory in protocol.memories_of(plan.track):
                yield WorkItem(plan.track, plan.tier, seed, fixed, memory, actor)
            for memory in plugins.memories:
                yield WorkItem(
                    plan.track, plan.tier, seed, fixed, memory, actor, False, plugins.modules
                )


def planned(protocol: Protocol, tracks: Collection[str], plugins: Plugins = Plugins()) -> int:
    """Episodes of the plans of ``tracks``: the protocol's, and ``plugins``' memories on each
    seed."""
    extra = sum(len(p.seeds) for p in protocol.plans if p.track in tracks)
    return protocol.episodes_of(tuple(tracks)) + extra * len(plugins.memories)


def run_config(protocol: Protocol, reasoner: str, plugins: Plugins = Plugins()) -> dict[str, Any]:
    """The config an eval run is recorded with: the protocol, the reasoner spec and any plugin
    memories (neither a shard nor a choice of tracks is part of it, so every shard and every
    ``--tracks`` subset of one protocol run adds to the same run)."""
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
    if plugins.memories:
        config["plugin_memories"] = list(plugins.memories)
        config["plugins"] = list(plugins.modules)
    return config
