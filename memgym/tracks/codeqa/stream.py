"""The core stream in order: code chunks, hotfix and changelog notes, distractors.

Files come one after another (modules in a random order, ``errors.py`` somewhere among them),
each as consecutive chunks; a change lands at a random point after the chunk that defines its
constant; distractors land anywhere (the first ones name the world's ghosts). Each item records the facts its text states, in text order.
"""

from __future__ import annotations

import random as _random
from dataclasses import dataclass, field
from typing import Any

from memgym.claims import format_value
from memgym.tracks.codeqa import code, notes
from memgym.tracks.codeqa.world import CORRECTION, World
from memgym.types import EventKind, Value

DOC, CHANGE, DISTRACTOR = 0, 1, 2


class FactRec:
    """A fact while the scenario is being built (id and step come when it is written out)."""

    __slots__ = ("attribute", "entity", "id", "step", "text", "value")

    def __init__(self, entity: str, attribute: str, value: Value) -> None:
        self.entity = entity
        self.attribute = attribute
        self.value = value
        self.text = value if type(value) is str else format_value(value)
        self.id = ""
        self.step = -1


@dataclass(slots=True)
class Item:
    """One core event before it has a step: its event kind, text and the facts it states."""

    kind: EventKind
    text: str
    facts: list[FactRec] = field(default_factory=list)
    tokens: int = -1
    """``count_tokens(text)`` where the text's parts gave it; -1: count the text."""


def source_files(rng: _random.Random, world: World) -> list[code.SourceFile]:
    """Every file of the repository in presentation order."""
    order = list(range(len(world.modules)))
    rng.shuffle(order)
    files = [code.module_file(rng, world, m) for m in order]
    files.insert(int(rng.random() * (len(files) + 1)), code.errors_file(world))
    return files


def _chunk_facts(world: World, chunk: code.Chunk) -> list[FactRec]:
    facts: list[FactRec] = []
    module = world.module_path(chunk.module) if chunk.module is not None else ""
    for c in chunk.constants:
        const = world.constants[c]
        facts += [FactRec(const.name, "value", const.value), FactRec(const.name, "module", module)]
    for f in chunk.functions:
        fn = world.functions[f]
        facts.append(FactRec(fn.name, "module", module))
        if fn.calls:
            calls = ", ".join(world.functions[g].name for g in fn.calls)
            facts.append(FactRec(fn.name, "calls", calls))
        if fn.raises is not None:
            facts.append(FactRec(fn.name, "raises", world.errors[fn.raises]))
        if fn.uses is not None:
            facts.append(FactRec(fn.name, "uses", world.constants[fn.uses].name))
    return facts


def order(rng: _random.Random, world: World, p: dict[str, Any]) -> list[Item]:
    """The core items in stream order."""
    random = rng.random
    chunks = [ch for src in source_files(rng, world) for ch in code.chunks(src, p["chunk_tokens"])]
    n = len(chunks)
    defined_in = {c: i for i, ch in enumerate(chunks) for c in ch.constants}
    keyed: list[tuple[float, int, int]] = [(float(i), DOC, i) for i in range(n)]
    for k, change in enumerate(world.changes):
        at = defined_in[change.constant]
        keyed.append((at + 0.5 + random() * (n - at), CHANGE, k))
    keyed += [(random() * n, DISTRACTOR, d) for d in range(p["distractors"])]
    keyed.sort()
    current: list[int | float] = [c.value for c in world.constants]
    items: list[Item] = []
    for _, kind, index in keyed:
        if kind == DOC:
            chunk = chunks[index]
            items.append(Item("document", chunk.text, _chunk_facts(world, chunk), chunk.tokens))
        elif kind == CHANGE:
            change = world.changes[index]
            const = world.constants[change.constant]
            event_kind: EventKind
            if change.kind == CORRECTION:
                event_kind = "correction"
                text = notes.hotfix(rng, world, change.constant, change.old, change.new)
            else:
                event_kind = "update"
                text = notes.changelog(rng, world, change.constant, change.new)
            current[change.constant] = change.new
            items.append(Item(event_kind, text, [FactRec(const.name, "value", change.new)]))
        elif index < len(world.ghost_constants):
            items.append(Item("distractor", notes.ghost_review(rng, world, index)))
        else:
            items.append(Item("distractor", notes.distractor(rng, world, current)))
    return items
