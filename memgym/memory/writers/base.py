"""Write policies: scripted agents that decide what to keep in the budgeted store.

A policy sees only what an LLM agent would: each event's text (and the claims its reader finds in
it). It never sees event kinds, fact ids, questions or gold answers. It writes canonical note
records (``memgym.claims``) through the same Store API and budget an LLM agent uses.
"""

from __future__ import annotations

import random
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from typing import Any, ClassVar

from memgym.claims import Claim, render_record
from memgym.memory.store import Store
from memgym.specs import register_factory

Record = dict[str, tuple[str, str | None]]
"""attribute -> (current value, previous value) for one entity, as the policy knows it."""


class WritePolicy(ABC):
    """Decides, event by event, which writes and edits to make in ``store``."""

    name: ClassVar[str]
    waives_budget: ClassVar[bool] = False

    def reset(self, store: Store, params: Mapping[str, Any], rng: random.Random) -> None:
        """Start an episode with an empty ``store``."""
        self.store = store
        self.params = params
        self.rng = rng

    @abstractmethod
    def on_event(self, text: str, claims: list[Claim]) -> None:
        """React to one event of the stream."""


def merge_claim(record: Record, claim: Claim) -> bool:
    """Fold ``claim`` into ``record``; True when it changed a known value (a correction/update)."""
    known = record.get(claim.attribute)
    if claim.previous is not None:
        record[claim.attribute] = (claim.value, claim.previous)
        return True
    if known is None:
        record[claim.attribute] = (claim.value, None)
        return False
    if known[0] != claim.value:
        record[claim.attribute] = (claim.value, known[0])
        return True
    return False


def render_entity(entity: str, record: Record) -> str:
    """The canonical note line for one entity's record."""
    return render_record(entity, [(a, v, p) for a, (v, p) in record.items()])


def group_by_entity(claims: list[Claim]) -> dict[str, list[Claim]]:
    """Claims grouped by entity, in first-seen order."""
    groups: dict[str, list[Claim]] = {}
    for claim in claims:
        groups.setdefault(claim.entity, []).append(claim)
    return groups


_POLICIES: dict[str, type[WritePolicy]] = {}


def register_policy(name: str) -> Callable[[type[WritePolicy]], type[WritePolicy]]:
    """Class decorator registering a write policy under ``name``."""
    return register_factory(_POLICIES, name, "write policy", named=True)


def make_policy(name: str) -> WritePolicy:
    """A fresh write policy by name, with a clear error for unknown names."""
    try:
        return _POLICIES[name]()
    except KeyError:
        known = ", ".join(sorted(_POLICIES))
        raise ValueError(f"unknown write policy {name!r}; known: {known}") from None


def policy_names() -> list[str]:
    return sorted(_POLICIES)
