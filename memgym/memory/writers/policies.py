"""The scripted write policies used by the simulation self-test (``memgym validate``)."""

from __future__ import annotations

import math
import random
from collections.abc import Mapping
from typing import Any

from memgym.claims import Claim
from memgym.memory.store import Store
from memgym.memory.writers.base import (
    Record,
    WritePolicy,
    group_by_entity,
    merge_claim,
    register_policy,
)
from memgym.memory.writers.packed import PackedWriter, fits_cap, token_cap


@register_policy("perfect")
class Perfect(PackedWriter):
    """The ceiling: budget waived, every record kept and updated, packed into at most half as many
    entries as there are questions, so it never uses more writes than scored (non-abstention)
    questions and reaches efficiency 1.0."""

    waives_budget = True

    def fits(self, members: list[str], text: str) -> bool:
        per_entry = math.ceil(self.params["entities"] / max(1, self.params["questions"] // 2))
        return len(members) <= per_entry


@register_policy("strategic")
class Strategic(PackedWriter):
    """Within budget: compact records packed up to the per-write token cap, updated on every
    correction or changed value."""

    def fits(self, members: list[str], text: str) -> bool:
        return fits_cap(text, token_cap(self.params))

    def admit(self, entity: str) -> bool:
        # A change for an entity never stored is still worth a line if there is room.
        return True


@register_policy("naive")
class Naive(PackedWriter):
    """The first entities that arrive, one per entry, never updated."""

    updates = False

    def fits(self, members: list[str], text: str) -> bool:
        return False


@register_policy("random")
class RandomSample(PackedWriter):
    """A random sample of entities (kept with probability budget/entities), one per entry,
    updated on changes."""

    def fits(self, members: list[str], text: str) -> bool:
        return False

    def admit(self, entity: str) -> bool:
        rate = self.params["write_budget"] / max(1, self.params["entities"])
        return not self.full and self.rng.random() < rate


@register_policy("priority")
class Priority(PackedWriter):
    """One entity per entry; once the budget is spent, an entity whose values change evicts the
    stored entity that has changed least (changes signal what the task cares about)."""

    def fits(self, members: list[str], text: str) -> bool:
        return False

    def reset(self, store: Store, params: Mapping[str, Any], rng: random.Random) -> None:
        super().reset(store, params, rng)
        self.changes: dict[str, int] = {}

    def on_event(self, text: str, claims: list[Claim]) -> None:
        for entity, group in group_by_entity(claims).items():
            record = self.records.get(entity)
            if record is not None or not self.full:
                super().on_event(text, group)
                if entity in self.records and any(c.previous is not None for c in group):
                    self.changes[entity] = self.changes.get(entity, 0) + 1
                continue
            if not any(c.previous is not None for c in group):
                continue  # a new entity after the budget is spent: not worth an eviction
            self._evict_for(entity, group)

    def _evict_for(self, entity: str, group: list[Claim]) -> None:
        victim = min(self.entry_of, key=lambda e: (self.changes.get(e, 0), -self.entry_of[e]))
        entry_id = self.entry_of.pop(victim)
        del self.records[victim]
        self.lines.pop(victim, None)
        self.lines.pop(entity, None)
        record: Record = {}
        for claim in group:
            merge_claim(record, claim)
        self.records[entity] = record
        self.changes[entity] = 1
        self.members[entry_id] = [entity]
        self.entry_of[entity] = entry_id
        self._rewrite(entry_id)


@register_policy("dump_all")
class DumpAll(WritePolicy):
    """Cheat: tries to keep the whole stream verbatim in a single entry. The buffer only grows,
    so after the first refusal every later attempt would be refused too, and it stops."""

    def reset(self, store: Store, params: Mapping[str, Any], rng: random.Random) -> None:
        super().reset(store, params, rng)
        self.buffer: list[str] = []
        self.entry_id: int | None = None
        self.refused = False

    def on_event(self, text: str, claims: list[Claim]) -> None:
        if self.refused:
            return
        self.buffer.append(text)
        everything = "\n".join(self.buffer)
        if self.entry_id is None:
            result = self.store.write(everything)
            if result.ok and result.entry is not None:
                self.entry_id = result.entry.id
        else:
            result = self.store.edit(self.entry_id, everything)
        self.refused = not result.ok


@register_policy("nothing")
class Nothing(WritePolicy):
    """Writes nothing (the store stays empty)."""

    def on_event(self, text: str, claims: list[Claim]) -> None:
        return None
