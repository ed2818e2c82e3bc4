"""Every agent of interactive tracks by name: ``make_agent`` and ``agent_names`` over the
registry of ``memgym.tracks.agent``, with the reference agents, the ``llm`` agent and the
no-memory cheat family (generic, the web track's ``web-explore`` and ``web-notes``, the swe
track's ``swe-explore``, ``swe-stash``, ``swe-keyring`` and ``swe-prior``, the tau2 track's ``tau2-prior``)
registered."""

from __future__ import annotations

from memgym.interactive import (  # noqa: F401  (register)
    agents,
    cheats,
    llm_agent,
    swe_explore,
    swe_keyring,
    swe_prior,
    tau2_prior,
    web_explore,
    web_notes,
)
from memgym.specs import make_named
from memgym.tracks.agent import _AGENTS, Agent
from memgym.tracks.base import Track


def make_agent(spec: str, track: Track) -> Agent:
    """Build the agent named by ``spec`` (``name:key=value,...``) for ``track``."""
    return make_named(spec, track, _AGENTS, "agent", "agents")


def agent_names() -> list[str]:
    """The names of every registered agent, sorted."""
    return sorted(_AGENTS)
