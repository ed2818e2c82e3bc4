"""The benchmark's fixed protocols: which tracks, tiers, seeds, parameters and memories
``memgym eval`` runs, under a version that changes whenever what it measures changes.

A protocol runs every question-stream track (entities, research, codeqa, dialogue). The
interactive tracks (tau2, swe, web) are not in it: their LLM agents take none of the model flags
(``--context-window``, ``--cache``) yet, each needs an extra of its own (τ²-bench's venv, chromium,
bubblewrap), and their scores pair with ``full`` rather than the oracle, so they would rank on
another scale; ``memgym compare --track tau2 ...`` measures them apart.

Every protocol runs the reference memories (``closed-book``: the probe that finds answers the
model knows without memory, left out of isolated scores; ``none``; ``oracle``; ``full``) and a
fixed set of strategies. A track's score is the mean memory-isolated score of the strategies
(how much of the oracle's gain over no memory the model keeps through standard memories), with
a paired bootstrap interval over questions.

``version``: bump it whenever a generator, a scorer, a memory or this file changes what a
protocol measures; ``memgym eval --fingerprint`` shows whether it did (see
``memgym.protocol.fingerprint``), and entries of different versions are never ranked together.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

REFERENCES = ("closed-book", "none", "oracle", "full")
"""The reference memories every protocol runs (``closed-book`` is the leak probe)."""
PROBE = "closed-book"


@dataclass(frozen=True)
class TrackPlan:
    """One track of a protocol: its tier, seeds and parameter overrides."""

    track: str
    tier: str
    seeds: tuple[int, ...]
    params: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "track": self.track,
            "tier": self.tier,
            "seeds": list(self.seeds),
            "params": dict(sorted(self.params.items())),
        }


@dataclass(frozen=True)
class Protocol:
    """A named, versioned set of track plans and memories."""

    name: str
    version: int
    tracks: tuple[TrackPlan, ...]
    strategies: tuple[str, ...]
    resamples: int = 1000
    description: str = ""

    @property
    def memories(self) -> tuple[str, ...]:
        """Every memory spec the protocol runs: the references, then the strategies."""
        return REFERENCES + self.strategies

    @property
    def episodes(self) -> int:
        """Episodes a whole run of the protocol holds."""
        return sum(len(plan.seeds) for plan in self.tracks) * len(self.memories)

    def to_json(self) -> dict[str, Any]:
        """What defines the protocol, as plain data (part of its fingerprint)."""
        return {
            "name": self.name,
            "version": self.version,
            "tracks": [plan.to_json() for plan in self.tracks],
            "references": list(REFERENCES),
            "strategies": list(self.strategies),
            "resamples": self.resamples,
        }


STREAM_TRACKS = ("entities", "research", "codeqa", "dialogue")
STRATEGIES = ("window:max_tokens=4000", "mask:keep=5", "summary:max_tokens=4000,summary_tokens=1000",
              "rag-bm25:k=5", "agentic:policy=strategic")  # fmt: skip
"""``compare``'s default strategies, and the store the model searches with tools (its entries
written by the scripted strategic writer), spelled as their canonical configs."""

STANDARD = Protocol(
    name="standard",
    version=8,
    tracks=tuple(TrackPlan(t, "standard", tuple(range(10))) for t in STREAM_TRACKS),
    strategies=STRATEGIES,
    description="every question-stream track at its standard tier (~30k-token streams), 10 seeds",
)
SMOKE = Protocol(
    name="smoke",
    version=9,
    tracks=(
        TrackPlan("entities", "lite", (0,), {"entities": 8, "questions": 3}),
        TrackPlan("research", "lite", (0,), {"tasks": 2}),
        TrackPlan("codeqa", "lite", (0,), {"questions": 3}),
        TrackPlan("dialogue", "lite", (0,), {"questions": 3}),
    ),
    strategies=("window:max_tokens=1000", "rag-bm25:k=3", "agentic:policy=strategic"),
    resamples=200,
    description="every question-stream track, one small lite scenario each: for CI and small models",
)
PROTOCOLS = {p.name: p for p in (STANDARD, SMOKE)}


def get_protocol(name: str) -> Protocol:
    """The protocol called ``name``; ``ValueError`` naming the known ones otherwise."""
    try:
        return PROTOCOLS[name]
    except KeyError:
        raise ValueError(f"unknown protocol {name!r}; protocols: {', '.join(PROTOCOLS)}") from None
