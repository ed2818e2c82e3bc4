"""Interactive tracks: a task is a world the agent acts on with tools, verified at the end.

An interactive track generates a ``Scenario`` like any track (seeded, hashed, one ``task`` event
per task, naming it), and ``open`` turns it into a live ``Session`` (the world, its tools, the
other party and the verifier). The agent loop that drives a session, with a memory strategy
compacting the agent's history, lives in ``memgym.interactive``; a track knows no agent.
"""

from __future__ import annotations

from abc import abstractmethod
from typing import ClassVar

from memgym.claims import Claim
from memgym.tracks.base import Track
from memgym.tracks.session import Session
from memgym.types import Scenario


class InteractiveTrack(Track):
    """A track whose episodes are agent sessions rather than question streams."""

    interactive: ClassVar[bool] = True
    default_agents: ClassVar[tuple[str, ...]] = ("gold", "context", "noop")
    """The scripted agents ``memgym run`` uses when none is named (ceiling, probe, floor)."""
    cheats: ClassVar[tuple[str, ...]] = ()
    """The track's own no-memory cheat agents, audited beside the generic family
    (``memgym.interactive.cheats``)."""
    gated: ClassVar[bool] = False
    """Whether ``memgym audit`` fails when the memory gate does not hold
    (``memgym.interactive.gate``); on other tracks the gate is reported only."""
    ungated_groups: ClassVar[tuple[str, ...]] = ()
    """Task groups (the part of a task id before ``/``) a gated track leaves out of the gate:
    reported, never enforced (the tau2 track's mock domain, too small to hide from a prior)."""

    @abstractmethod
    def open(self, scenario: Scenario) -> Session:
        """A fresh live session for ``scenario`` (the caller closes it)."""

    def check(self, scenario: Scenario) -> list[str]:
        """The track's own soundness checks of a generated scenario (``memgym audit``): one line
        per problem, naming the task id it concerns; empty when sound."""
        return []

    def generation(self, scenario: Scenario) -> dict[str, int]:
        """How ``scenario``'s tasks were drawn (``memgym audit`` sums it over seeds): ``tried``
        and ``kept`` candidates and ``rejected:REASON`` counts; empty when the track rejects
        nothing while generating."""
        return {}

    def read(self, text: str) -> list[Claim]:
        """Interactive tracks state no canonical claims; memories that read claims see none."""
        return []
