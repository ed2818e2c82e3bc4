"""The core stream in order: code chunks, hotfix and changelog notes, config audits, distractors.

Files come one after another (modules in a random order, ``errors.py`` somewhere among them),
each as consecutive chunks; a change lands at a random point after the chunk that defines its
constant; config audits of vendored dependencies' settings (look-alike constants) land before
the code and anywhere; decoy changes of settings named as constants are (defined nowhere in the
repository) and audits restating them open the stream (``HEAD_DECOYS`` of each) and land anywhere; distractors land anywhere (the first ones
name the world's ghosts). Each item records the facts its text states, in text order.
"""

from __future__ import annotations

import random as _random
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any

from memgym.tracks.codeqa import code, names, notes
from memgym.tracks.codeqa.params import HEAD_LOOKALIKES_PER_CONSTANT, LOOKALIKES_PER_CONSTANT
from memgym.tracks.codeqa.world import CORRECTION, Family, World, free_names
from memgym.tracks.factrec import FactRec
from memgym.types import EventKind

DOC, CHANGE, DISTRACTOR, LOOKALIKE, DECOY, DECOY_AUDIT = 0, 1, 2, 3, 4, 5
DECOYS_PER_CONSTANT = 3
"""Decoy changes (hotfix notes and changelog entries of vendored dependencies' settings, half
each) per repository constant, anywhere in the stream: many more changes than maintenance
questions, so a memory of the last few changes (by kind or by their words) holds no asked one.
The guard (``memgym.tracks.bounded``) redraws a question one still answers."""
DECOY_AUDITS_PER_CONSTANT = 3
"""Config audits restating a decoy setting's current value, per repository constant: many more
documents than questions, so a random sample of 16 documents rarely holds an asked one. Both
counts grow with the stream past ``DECOY_TOKENS`` (``decoy_count``)."""
DECOY_TOKENS = 10_000
"""The stream length the per-constant decoy counts are for: a longer stream holds
proportionally more (standard's 30k tokens 3 times as many), a shorter one (lite) as many."""
DECOY_MOST_TOKENS = 33_334
"""The length from which the decoy counts stay flat (3.3 times the per-constant counts, as at
hard's 100k), so a stream's core, and the memory streaming it takes, stops growing there. The
counts reach it by the length where a random sample of 16 changes is a small enough share of the
stream to be judged (``memgym.simulation.bounded``): with 30k tokens per step instead, standard
had ~100 changes and such a sample answered 0.035 on average over 100 salted seeds, 0.086 over
ten of them."""
DECOY_SETTINGS = 8
"""The settings the decoy changes change, each again and again (``decoy_settings``)."""
HEAD_DECOYS = 20
"""Decoy changes of each kind (hotfix notes, changelog entries) and decoy config audits placed
before the first code chunk (more than the 16 events a first-K memory of any class keeps): the
stream opens with vendored settings only, so a memory of its first events holds nothing asked
and the guard need not push the questions past them (which would pile the asked values just
after its cut, where a rule counting values from the start finds them)."""


def decoy_count(per_constant: int, constants: int, target_tokens: int) -> int:
    """How many decoy changes (or decoy audits) a stream of ``target_tokens`` tokens over a
    repository of ``constants`` constants holds: ``per_constant`` per constant for each
    ``DECOY_TOKENS`` tokens of the stream (no fewer than for that many, no more than for
    ``DECOY_MOST_TOKENS``). A code chunk
    states all of a module's constants and a hotfix note both values of a change, so a random
    sample of 16 documents (or corrections) holding one answers questions in proportion to the
    share of them it holds: the longer the stream, the more documents and changes it samples
    from."""
    tokens = min(max(target_tokens, DECOY_TOKENS), DECOY_MOST_TOKENS)
    return round(per_constant * constants * tokens / DECOY_TOKENS)


def lookalikes(
    rng: _random.Random, world: World, count: int
) -> list[tuple[str, str, int | float, Family]]:
    """(dependency, name, value, family) of at most ``count`` dependency settings for config
    audits and decoy changes (a draw that repeats a name or a value taken is dropped)."""
    random = rng.random
    families = list(dict.fromkeys(c.family for c in world.constants))
    taken = {c.value for c in world.constants} | {ch.new for ch in world.changes}
    out: list[tuple[str, str, int | float, Family]] = []
    named: set[str] = set()
    for _ in range(count):
        dependency = names.DEPENDENCIES[int(random() * len(names.DEPENDENCIES))]
        part = names.DEPENDENCY_PARTS[int(random() * len(names.DEPENDENCY_PARTS))]
        family = families[int(random() * len(families))]
        name = f"{dependency.upper()}_{part}_{family.suffix}"
        value = family.draw(random)
        if name in named or value in taken:
            continue  # a name stated once, a value no constant has
        named.add(name)
        taken.add(value)
        out.append((dependency, name, value, family))
    return out


def decoy_settings(
    rng: _random.Random, world: World, count: int
) -> list[tuple[str, str, int | float, Family]]:
    """(dependency, name, value, family) of at most ``count`` settings for the decoy changes,
    named as the repository's constants are (a stem and one of its families' suffixes) but
    naming no constant or ghost, each with a value no constant has (a draw that repeats one is
    dropped). Across scenarios a name is as likely a decoy's as a constant's, so only the
    repository's own code tells a decoy change from a real one (issue #66: named as vendored
    settings, ``HTTPX_QUEUE_SAMPLE_RATIO``, they were told apart by their words, and a selector
    trained on 40 seeds answered 40 of 1,200 maintenance questions at standard holding 1.6 % of
    the stream; 1 named so). The dependency names the vendored path that audits restating
    them cite."""
    random = rng.random
    free = free_names(world, list(dict.fromkeys(c.family for c in world.constants)))
    taken = {c.value for c in world.constants} | {ch.new for ch in world.changes}
    out: list[tuple[str, str, int | float, Family]] = []
    for name, family in rng.sample(free, min(count, len(free))):
        dependency = names.DEPENDENCIES[int(random() * len(names.DEPENDENCIES))]
        value = family.draw(random)
        if value in taken:
            continue
        taken.add(value)
        out.append((dependency, name, value, family))
    return out


@dataclass(slots=True)
class Item:
    """One core event before it has a step: its event kind, text and the facts it states."""

    kind: EventKind
    text: str
    facts: list[FactRec] = field(default_factory=list)
    tokens: int = -1
    """``count_tokens(text)`` where the text's parts gave it; -1: count the text."""


def source_files(
    rng: _random.Random, world: World, body_lines: int = 0, reserved: Collection[str] = ()
) -> list[code.SourceFile]:
    """Every file of the repository in presentation order (``body_lines``: ``code.BODY``;
    ``reserved``: names no local setting takes, ``code.local_names``)."""
    order = list(range(len(world.modules)))
    rng.shuffle(order)
    files = [code.module_file(rng, world, m, body_lines, reserved) for m in order]
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


def _place(random: Callable[[], float], n: int, head: bool) -> float:
    """A sort key before the first code chunk (``head``) or anywhere among ``n`` chunks."""
    return random() * 0.5 - 1 if head else random() * n


def order(rng: _random.Random, world: World, p: dict[str, Any]) -> list[Item]:
    """The core items in stream order."""
    random = rng.random
    settings = decoy_settings(rng, world, DECOY_SETTINGS)
    reserved = {name for _, name, _, _ in settings}
    chunks = [
        ch
        for src in source_files(rng, world, p["body_lines"], reserved)
        for ch in code.chunks(src, p["chunk_tokens"])
    ]
    n = len(chunks)
    defined_in = {c: i for i, ch in enumerate(chunks) for c in ch.constants}
    keyed: list[tuple[float, int, int]] = [(float(i), DOC, i) for i in range(n)]
    for k, change in enumerate(world.changes):
        at = defined_in[change.constant]
        keyed.append((at + 0.5 + random() * (n - at), CHANGE, k))
    keyed += [(random() * n, DISTRACTOR, d) for d in range(p["distractors"])]
    head = int(random() * (int(HEAD_LOOKALIKES_PER_CONSTANT * len(world.constants)) + 1))
    anywhere = int(random() * (int(LOOKALIKES_PER_CONSTANT * len(world.constants)) + 1))
    looks = lookalikes(rng, world, head + anywhere)
    keyed += [
        (random() * 0.5 - 1 if k < head else random() * n, LOOKALIKE, k) for k in range(len(looks))
    ]
    if settings:
        decoys = decoy_count(DECOYS_PER_CONSTANT, len(world.constants), p["target_tokens"])
        keyed += [(_place(random, n, d < 2 * HEAD_DECOYS), DECOY, d) for d in range(decoys)]
        audits = decoy_count(DECOY_AUDITS_PER_CONSTANT, len(world.constants), p["target_tokens"])
        keyed += [(_place(random, n, d < HEAD_DECOYS), DECOY_AUDIT, d) for d in range(audits)]
    keyed.sort()
    current: list[int | float] = [c.value for c in world.constants]
    setting_now = [value for _, _, value, _ in settings]
    taken = {c.value for c in world.constants} | {ch.new for ch in world.changes}
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
        elif kind == LOOKALIKE:
            dependency, name, value, _ = looks[index]
            text = notes.dependency_audit(rng, dependency, name, value)
            items.append(Item("document", text, [FactRec(name, "value", value)]))
        elif kind == DECOY:
            k = int(random() * len(settings))
            _, name, _, family = settings[k]
            old, new = setting_now[k], family.draw(random)
            if new == old or new in taken:
                continue
            setting_now[k] = new
            correct = index % 2 == 0
            text = notes.dependency_change(rng, world, name, old, new, correct)
            decoy: EventKind = "correction" if correct else "update"
            items.append(Item(decoy, text, [FactRec(name, "value", new)]))
        elif kind == DECOY_AUDIT:
            k = int(random() * len(settings))
            dependency, name, _, _ = settings[k]
            text = notes.dependency_audit(rng, dependency, name, setting_now[k])
            items.append(Item("document", text, [FactRec(name, "value", setting_now[k])]))
        elif index < len(world.ghost_constants):
            items.append(Item("distractor", notes.ghost_review(rng, world, index)))
        else:
            items.append(Item("distractor", notes.distractor(rng, world, current)))
    return items
