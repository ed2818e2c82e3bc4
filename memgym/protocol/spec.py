"""The benchmark's fixed protocols: which tracks, tiers, seeds, parameters and memories
``memgym eval`` runs, under a version that changes whenever what it measures changes.

A protocol runs every question-stream track (entities, research, codeqa, dialogue). From smoke
v10 on it may also run interactive tracks (tau2, swe, web: its ``sessions``), with the model as
the ``llm`` agent whose history the memories compact. Their scores are on their own scale: the
share of ``full``'s gain over ``none`` the strategies keep (no oracle, no closed-book probe on an
agent session), reported beside the stream tracks' and never averaged with them. Each needs an
engine of its own (τ²-bench's venv, bubblewrap, chromium): ``memgym.protocol.engines``.

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
SESSION_REFERENCES = ("none", "full")
"""The reference memories of an interactive track: the floor and the ceiling (``full``)."""


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
    sessions: tuple[TrackPlan, ...] = ()
    """Interactive tracks, run with the model as the ``llm`` agent."""
    session_strategies: tuple[str, ...] = ()
    """The history strategies of the interactive tracks (beside ``SESSION_REFERENCES``)."""

    @property
    def memories(self) -> tuple[str, ...]:
        """Every memory spec the protocol runs on a stream track: the references, then the
        strategies."""
        return REFERENCES + self.strategies

    @property
    def session_memories(self) -> tuple[str, ...]:
        """Every memory spec the protocol runs on an interactive track (none without sessions)."""
        return SESSION_REFERENCES + self.session_strategies if self.sessions else ()

    @property
    def plans(self) -> tuple[TrackPlan, ...]:
        """Every track plan: the stream tracks, then the interactive ones."""
        return self.tracks + self.sessions

    @property
    def track_names(self) -> tuple[str, ...]:
        return tuple(plan.track for plan in self.plans)

    def is_session(self, track: str) -> bool:
        """Whether ``track`` is one of the protocol's interactive tracks."""
        return any(plan.track == track for plan in self.sessions)

    def memories_of(self, track: str) -> tuple[str, ...]:
        """The memory specs run on ``track``."""
        return self.session_memories if self.is_session(track) else self.memories

    def strategies_of(self, track: str) -> tuple[str, ...]:
        """The strategies whose mean is ``track``'s score."""
        return self.session_strategies if self.is_session(track) else self.strategies

    def episodes_of(self, tracks: tuple[str, ...] | None = None) -> int:
        """Episodes of the plans of ``tracks`` (None: every track)."""
        return sum(
            len(plan.seeds) * len(self.memories_of(plan.track))
            for plan in self.plans
            if tracks is None or plan.track in tracks
        )

    @property
    def episodes(self) -> int:
        """Episodes a whole run of the protocol holds."""
        return self.episodes_of()

    def selected(self, names: list[str] | None) -> tuple[str, ...]:
        """The protocol's tracks named in ``names`` in protocol order (None: every track);
        ``ValueError`` naming the protocol's tracks for a name it does not run."""
        if not names:
            return self.track_names
        unknown = [n for n in names if n not in self.track_names]
        if unknown:
            raise ValueError(
                f"protocol {self.name} v{self.version} runs no track {', '.join(unknown)}; "
                f"its tracks: {', '.join(self.track_names)}"
            )
        return tuple(t for t in self.track_names if t in names)

    def to_json(self) -> dict[str, Any]:
        """What defines the protocol, as plain data (part of its fingerprint). A protocol with
        no sessions is defined as before they existed (its fingerprint unchanged)."""
        data: dict[str, Any] = {
            "name": self.name,
            "version": self.version,
            "tracks": [plan.to_json() for plan in self.tracks],
            "references": list(REFERENCES),
            "strategies": list(self.strategies),
            "resamples": self.resamples,
        }
        if self.sessions:
            data["sessions"] = [plan.to_json() for plan in self.sessions]
            data["session_references"] = list(SESSION_REFERENCES)
            data["session_strategies"] = list(self.session_strategies)
        return data


STREAM_TRACKS = ("entities", "research", "codeqa", "dialogue")
STRATEGIES = ("window:max_tokens=4000", "mask:keep=5", "summary:max_tokens=4000,summary_tokens=1000",
              "rag-bm25:k=5", "agentic:policy=strategic")  # fmt: skip
"""``compare``'s default strategies, and the store the model searches with tools (its entries
written by the scripted strategic writer), spelled as their canonical configs."""

STANDARD = Protocol(
    name="standard",
    version=13,
    tracks=tuple(TrackPlan(t, "standard", tuple(range(10))) for t in STREAM_TRACKS),
    strategies=STRATEGIES,
    description="every question-stream track at its standard tier (~15k to 50k-token streams), 10 seeds",
)
SMOKE = Protocol(
    name="smoke",
    version=14,
    tracks=(
        TrackPlan("entities", "lite", (0,), {"entities": 8, "questions": 3}),
        TrackPlan(  # lite's content as v10 had it (4 tasks in 10,000 tokens; 6 in 30,000 now)
            "research", "lite", (0,), {"tasks": 2, "target_tokens": 10_000, "write_budget": 16}
        ),
        TrackPlan(  # lite as v10 had it (10 questions in 10,000 tokens then; 16 in 16,000 now)
            "codeqa",
            "lite",
            (0,),
            {
                "questions": 3,
                "target_tokens": 10_000,
                "write_budget": 5,
                "body_lines": 2,
                "chunk_tokens": 220,
            },
        ),
        TrackPlan("dialogue", "lite", (0,), {"questions": 3}),
    ),
    strategies=("window:max_tokens=1000", "rag-bm25:k=3", "agentic:policy=strategic"),
    resamples=200,
    description=("every track, one small lite scenario or session each: for CI and small models"),
    sessions=(
        TrackPlan("tau2", "lite", (0,)),
        TrackPlan("swe", "lite", (0,), {"tasks": 1, "redo": 1}),
        TrackPlan("web", "lite", (0,), {"errands": 1, "pages": 1}),
    ),
    session_strategies=("window:max_tokens=1000", "mask:keep=1", "rag-bm25:k=3"),
)
PROTOCOLS = {p.name: p for p in (STANDARD, SMOKE)}


def get_protocol(name: str) -> Protocol:
    """The protocol called ``name``; ``ValueError`` naming the known ones otherwise."""
    try:
        return PROTOCOLS[name]
    except KeyError:
        raise ValueError(f"unknown protocol {name!r}; protocols: {', '.join(PROTOCOLS)}") from None
