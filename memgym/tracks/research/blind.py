"""The entity-blind guard: no question may be answered by the values of its field alone.

A memory that keeps every value stated for a field (``population``, ``employer``, ...) but not
whose it is would answer a question with the field's last value so far, a recent one, or its
commonest. After the blocks are laid out, the guard walks them in order and, at each question,
looks at the values of the asked field stated so far about anyone. It inserts look-alike results
(near-miss namesakes of the fact's holder, drawn like siblings, never stating the gold) between
the previous question and this one until:

- at least ``LATER_VALUES`` values of the field follow the gold's last statement (so the last,
  second-last, ... value is a look-alike's);
- the gold is not the commonest value, nor tied for it, over the whole stream so far; nor the
  commonest of the last ``WINDOWS`` statements, nor tied for it as the first or last seen there.

Only events before the question are added, none before the previous question, so a question
checked earlier stays as it was checked.
"""

from __future__ import annotations

import random as _random
from bisect import insort
from collections import Counter
from typing import TYPE_CHECKING

from memgym.tracks.entities.fast import build_fact
from memgym.tracks.research import render
from memgym.tracks.research.schema import FIELDS, TYPES
from memgym.tracks.research.world import BACKGROUND, CHAIN, Entity, World
from memgym.types import Fact

if TYPE_CHECKING:
    from memgym.tracks.research.assemble import Block

Decoy = tuple[str, list[Fact]]
"""A look-alike result: its text and the facts it states."""
Insert = tuple[float, Decoy]

LATER_VALUES = 4
"""Values of the asked field, about others, stated after the gold's last statement."""
WINDOWS = (5, 10, 20, 30)
"""Sizes (in statements of the field) of the recent windows whose commonest value is checked."""
MAX_DECOYS = 40
"""Look-alikes one question may add at most (a bound the checks never come near)."""
DECOY = "decoy"


def _blind_hit(values: list[str], gold: str) -> bool:
    """Whether an entity-blind memory holding ``values`` (in stream order) could answer gold."""
    if len(values) - 1 - _last(values, gold) < LATER_VALUES:
        return True
    counts = Counter(values)
    top_other = max((n for v, n in counts.items() if v != gold), default=0)
    if counts[gold] >= top_other:
        return True
    for w in WINDOWS:
        if w >= len(values):
            break
        window = values[-w:]
        if gold not in window:
            continue
        counts = Counter(window)
        top = max(counts.values())
        if counts[gold] == top and (
            window[0] == gold or window[-1] == gold or sum(n == top for n in counts.values()) == 1
        ):
            return True
    return False


def _last(values: list[str], gold: str) -> int:
    for i in range(len(values) - 1, -1, -1):
        if values[i] == gold:
            return i
    return -1


def _wanted(values: list[str], gold: str) -> str | None:
    """The value the next look-alike should state: the commonest other value when the gold is
    too common (over the stream or a window), else None (a fresh value)."""
    if len(values) - 1 - _last(values, gold) < LATER_VALUES:
        return None
    counts = Counter(v for v in values if v != gold)
    return max(counts, key=counts.__getitem__) if counts else None


class _Decoys:
    """Makes look-alike entities: near misses of a holder, every field drawn, none the gold."""

    def __init__(self, rng: _random.Random, world: World, style: str) -> None:
        self.rng = rng
        self.world = world
        self.style = style
        if world.namer is None:
            raise ValueError("research: the entity-blind guard needs the world's namer")
        self.namer = world.namer
        self.by_name = {e.name: e for e in world.entities}
        self.pools: dict[str, list[str]] = {}
        for e in world.entities:
            if e.role in (CHAIN, BACKGROUND):
                self.pools.setdefault(e.kind, []).append(e.name)

    def make(self, holder: str, field: str, value: str | None, gold: str) -> Decoy:
        """A result about a new near miss of ``holder`` stating ``value`` (or a fresh one) for
        ``field``; no field of it states ``gold``."""
        rng = self.rng
        kind = self.by_name[holder].kind
        name = self.namer.near_miss(kind, holder)
        entity = Entity(name, kind, DECOY)
        self.world.entities.append(entity)
        self.by_name[name] = entity
        for f in TYPES[kind]:
            if f.name == field and value is not None:
                drawn: int | str = int(value) if not f.relation else value
            else:
                drawn = self._draw(f.name, name, gold)
            entity.facts[f.name] = build_fact(
                {"id": "", "entity": name, "attribute": f.name, "value": drawn, "step": -1}
            )
        search = f"{FIELDS[field].ask} of {holder}"
        return render.result(rng, search, entity, render.pick_style(rng, self.style))

    def _draw(self, field: str, owner: str, gold: str) -> int | str:
        f = FIELDS[field]
        random = self.rng.random
        if f.relation:
            pool = [n for n in self.pools.get(f.target, ()) if n != gold and n != owner]
            if not pool:
                return self.namer.fresh(f.target)
            return pool[int(random() * len(pool))]
        while True:
            v = f.low + int(random() * (f.high - f.low + 1))
            if v != f.midpoint and str(v) != gold:
                return v


def guard(rng: _random.Random, world: World, blocks: list[Block], style: str) -> list[Insert]:
    """The look-alike results to insert into ``blocks`` so that no question is entity-blind:
    (position, result), sorted; a position ``p`` goes right after block ``int(p)``."""
    decoys = _Decoys(rng, world, style)
    seen: dict[str, list[tuple[float, str]]] = {}
    """field -> (position, value) of every statement so far, by position (a block's index;
    an inserted look-alike sits at a fraction between two blocks)."""
    added: list[Insert] = []
    previous = -1.0
    for i, block in enumerate(blocks):
        for core in block:
            if core is None:
                continue
            if core.question is None:
                for f in core.stated:
                    seen.setdefault(f.attribute, []).append((float(i), str(f.value)))
                continue
            asked = core.question.evidence[-1]
            statements = seen.setdefault(asked.attribute, [])
            gold = str(asked.value)
            for _ in range(MAX_DECOYS):
                values = [v for _, v in statements]
                if not _blind_hit(values, gold):
                    break
                last_gold = max((p for p, v in statements if v == gold), default=-1.0)
                low = max(previous, last_gold)
                at = low + (i - low) * (0.001 + 0.998 * rng.random())
                decoy = decoys.make(asked.entity, asked.attribute, _wanted(values, gold), gold)
                added.append((at, decoy))
                for f in decoy[1]:
                    insort(seen.setdefault(f.attribute, []), (at, str(f.value)))
            previous = float(i)
    added.sort(key=lambda pair: pair[0])
    return added
