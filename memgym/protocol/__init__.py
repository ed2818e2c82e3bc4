"""The benchmark's fixed, versioned protocols and what ``memgym eval`` makes of a run of one:
``spec`` (the protocols), ``work`` and ``runs`` (episodes and the runs holding them),
``estimate`` (cost before a run), ``fingerprint`` (what a version is), ``score`` (a track's
score), ``entry`` (the leaderboard entry and its schema), ``table`` (model x track)."""

from memgym.protocol.spec import PROTOCOLS, Protocol, TrackPlan, get_protocol

__all__ = ["PROTOCOLS", "Protocol", "TrackPlan", "get_protocol"]
