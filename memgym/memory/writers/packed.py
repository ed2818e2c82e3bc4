"""Entity records packed into shared store entries, kept up to date by free edits."""

from __future__ import annotations

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
    render_entity,
)
from memgym.tokens import count_tokens


class PackedWriter(WritePolicy):
    """Base for policies that keep one record per entity and pack several records per entry.

    Subclasses decide how many records an entry may hold (``fits``) and whether changes to
    known values are written back (``updates``).
    """

    updates = True

    def reset(self, store: Store, params: Mapping[str, Any], rng: random.Random) -> None:
        super().reset(store, params, rng)
        self.records: dict[str, Record] = {}
        self.lines: dict[str, str] = {}  # entity -> its rendered record, until it changes
        self.entry_of: dict[str, int] = {}
        self.members: dict[int, list[str]] = {}
        self.open_entry: int | None = None
        self.full = False

    def fits(self, members: list[str], text: str) -> bool:
        """May an entry hold ``members`` rendered as ``text``?"""
        raise NotImplementedError

    def on_event(self, text: str, claims: list[Claim]) -> None:
        for entity, group in group_by_entity(claims).items():
            record = self.records.get(entity)
            if record is None:
                if not self.admit(entity):
                    continue
                record = self.records[entity] = {}
            known = len(record)
            self.lines.pop(entity, None)
            changed = False
            for claim in group:
                changed |= merge_claim(record, claim)
            # A stored record that gains an attribute (facts arriving over many events, as in a
            # dialogue) is written back like a changed one.
            changed |= len(record) > known
            if entity in self.entry_of:
                if changed and self.updates:
                    self._update(entity)
            else:
                self._place(entity)

    def admit(self, entity: str) -> bool:
        """Should a newly seen entity be kept at all?"""
        return not self.full

    def _line(self, entity: str) -> str:
        line = self.lines.get(entity)
        if line is None:
            line = self.lines[entity] = render_entity(entity, self.records[entity])
        return line

    def _text(self, members: list[str]) -> str:
        return "\n".join(map(self._line, members))

    def _rewrite(self, entry_id: int) -> None:
        self.store.edit(entry_id, self._text(self.members[entry_id]))

    def _update(self, entity: str) -> None:
        """Write ``entity``'s grown record back. When its entry no longer fits (the per-write
        cap, checked before the edit so no refused call is made), the record moves to an entry of its own and the old entry keeps the others; with
        no write left, the entry keeps its older text."""
        entry_id = self.entry_of[entity]
        members = self.members[entry_id]
        text = self._text(members)
        cap = None if self.waives_budget else token_cap(self.params)  # waived: no cap either
        if fits_cap(text, cap) and self.store.edit(entry_id, text).ok:
            return
        others = [m for m in members if m != entity]
        if not others or self.full:
            return
        result = self.store.write(self._text([entity]))
        if not result.ok or result.entry is None:
            self.full = True
            return
        self.members[entry_id] = others
        self.store.edit(entry_id, self._text(others))  # fewer records: it fits
        self.members[result.entry.id] = [entity]
        self.entry_of[entity] = self.open_entry = result.entry.id

    def _place(self, entity: str) -> None:
        if self.open_entry is not None:
            members = self.members[self.open_entry] + [entity]
            text = self._text(members)
            if self.fits(members, text) and self.store.edit(self.open_entry, text).ok:
                self.members[self.open_entry] = members
                self.entry_of[entity] = self.open_entry
                return
        result = None if self.full else self.store.write(self._text([entity]))
        if result is None or not result.ok or result.entry is None:
            self.full = True
            del self.records[entity]
            self.lines.pop(entity, None)
            return
        self.open_entry = result.entry.id
        self.members[result.entry.id] = [entity]
        self.entry_of[entity] = result.entry.id


def token_cap(params: Mapping[str, Any]) -> int | None:
    """The per-write token cap the track sets, if any."""
    return params.get("max_write_tokens")


def fits_cap(text: str, cap: int | None) -> bool:
    return cap is None or count_tokens(text) <= cap
