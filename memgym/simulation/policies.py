"""Simulation policies: named (memory, reasoner) pairs that exercise the benchmark end to end.

Honest policies write with a scripted write policy and answer with the scripted reasoner. Cheats
try to score without remembering anything useful; ``memgym validate`` proves they cannot.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Policy:
    name: str
    memory: str
    reasoner: str
    cheat: bool = False
    about: str = ""


POLICIES: dict[str, Policy] = {
    p.name: p
    for p in (
        Policy("perfect", "agentic:policy=perfect", "scripted", about="budget waived: the ceiling"),
        Policy("strategic", "agentic:policy=strategic", "scripted", about="packs records, updates"),
        Policy(
            "priority", "agentic:policy=priority", "scripted", about="evicts for changed entities"
        ),
        Policy("random", "agentic:policy=random", "scripted", about="a random sample of entities"),
        Policy("naive", "agentic:policy=naive", "scripted", about="first come, never updated"),
        Policy("guesser", "none", "guesser", cheat=True, about="prior midpoints and first choices"),
        Policy("smart_guesser", "stats", "smart_guesser", cheat=True, about="typical values seen"),
        Policy("abstainer", "none", "abstainer", cheat=True, about="always 'I don't know'"),
        Policy(
            "dump_all", "agentic:policy=dump_all", "scripted", cheat=True, about="one giant write"
        ),
        Policy("echo", "none", "echo", cheat=True, about="repeats the question"),
    )
}

HONEST = [name for name, p in POLICIES.items() if not p.cheat]
CHEATS = [name for name, p in POLICIES.items() if p.cheat]


def get_policy(name: str) -> Policy:
    """A policy by name, with a clear error listing the known ones."""
    try:
        return POLICIES[name]
    except KeyError:
        raise ValueError(f"unknown policy {name!r}; known: {', '.join(POLICIES)}") from None
