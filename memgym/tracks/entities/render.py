"""Prose for documents, corrections and unlabeled updates, written from the frames in phrases.py.

Every frame is prepared once per field (label and unit filled in) into a ``str.format`` pattern
taking the entity as ``{0}``, the value as ``{1}`` and a correction's old value as ``{2}``. Whole
documents are prepared too, for a few sentence orders and "voices" (which frame each sentence
uses), so writing a complete document is a single format call. Each renderer returns the text
and the facts it states, in text order.
"""

from __future__ import annotations

import random as _random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from operator import itemgetter
from string import Formatter

from memgym.tracks.entities import phrases
from memgym.tracks.entities.templates import TEMPLATES, Template
from memgym.tracks.entities.world import Change, World
from memgym.types import Fact

NARRATIVE, KV = "narrative", "kv"
DOC_STYLES = (NARRATIVE, KV)
ORDERS = 8
"""Sentence orders prepared per template; a narrative document uses one of them."""
VOICES = 4
"""Frame rotations per order: in voice v the k-th sentence uses frame (v + k) of its kind."""


@dataclass(frozen=True, slots=True)
class Pattern:
    """A ``str.format`` pattern of positional fields (``{0}``, ``{3}``...) rewritten for ``%``:
    ``fill(args)`` is ``pattern.format(*args)``, in about half the time for a whole document
    (``%`` does not parse field numbers; one ``itemgetter`` call puts the arguments in order)."""

    source: str
    text: str
    pick: Callable[[Sequence[str]], tuple[str, ...]]

    def fill(self, args: Sequence[str]) -> str:
        """The pattern with its fields filled from ``args``."""
        return self.text % self.pick(args)


def percent(pattern: str) -> Pattern:
    """``pattern`` (at least two positional fields, no format specs) as a ``Pattern``."""
    parts, fields = [], []
    for literal, name, spec, conversion in Formatter().parse(pattern):
        parts.append(literal.replace("%", "%%"))
        if name is not None:
            assert name.isdigit() and not spec and not conversion, pattern
            parts.append("%s")
            fields.append(int(name))
    assert len(fields) > 1, pattern  # itemgetter of one index returns the item, not a tuple
    return Pattern(pattern, "".join(parts), itemgetter(*fields))


@dataclass(frozen=True, slots=True)
class Wording:
    """The prepared patterns of one template."""

    prose: tuple[tuple[str, ...], ...]
    """Per field: its narrative sentence patterns."""
    lines: tuple[str, ...]
    """Per field: its key-value line pattern."""
    corrections: tuple[tuple[str, ...], ...]
    """Per field: its correction sentence patterns (numeric fields only, else empty)."""
    series: tuple[int, ...]
    """The series fields (written "a, b, c and d" in prose)."""
    orders: tuple[tuple[int, ...], ...]
    bodies: tuple[tuple[Callable[[Sequence[Fact]], tuple[Fact, ...]], Pattern], ...]
    """(the row's facts in the field order, whole narrative body pattern) for every order and
    voice; field f is {f+1}."""
    kv_doc: Pattern
    """The whole key-value document pattern; field f is {f+1}."""
    intros: tuple[str, ...]
    update_intros: tuple[str, ...]
    doc_header: str
    update_header: str


def _prepare(frame: str, label: str, unit: str, slot: int = 1) -> str:
    tail = f" {unit}" if unit else ""
    return (
        frame.replace("{E}", "{0}")
        .replace("{V}", f"{{{slot}}}{tail}")
        .replace("{P}", f"{{{slot + 1}}}{tail}")
        .replace("{L}", label)
    )


def wording(template: Template) -> Wording:
    """The prepared patterns for ``template`` (prepared at import)."""
    return _WORDINGS[template.name]


def _wording(template: Template) -> Wording:
    fields = [(a.label, a.unit, a.type) for a in template.attributes]
    fields += [(r.label, "", "relation") for r in template.relations]
    orders = []
    shuffler = _random.Random(template.name)  # fixed data, not scenario randomness
    for _ in range(ORDERS):
        shuffled = list(range(len(fields)))
        shuffler.shuffle(shuffled)
        orders.append(tuple(shuffled))
    noun = template.noun
    heading = noun[0].upper() + noun[1:]
    frames = [phrases.FRAMES_BY_KIND[kind] for _, _, kind in fields]
    bodies = []
    for order in orders:
        for voice in range(VOICES):
            sentences = []
            for k, f in enumerate(order):
                label, unit, _ = fields[f]
                sentences.append(
                    _prepare(frames[f][(voice + k) % len(frames[f])], label, unit, f + 1)
                )
            bodies.append((itemgetter(*order), percent(" ".join(sentences))))
    doc_header = phrases.KV_DOC_HEADER.replace("{N}", heading).replace("{E}", "{0}")
    kv_lines = [
        _prepare(phrases.KV_LINE, label, unit, f + 1) for f, (label, unit, _) in enumerate(fields)
    ]
    return Wording(
        prose=tuple(
            tuple(_prepare(f, label, unit) for f in phrases.FRAMES_BY_KIND[kind])
            for label, unit, kind in fields
        ),
        lines=tuple(_prepare(phrases.KV_LINE, label, unit) for label, unit, _ in fields),
        corrections=tuple(
            tuple(_prepare(f, label, unit) for f in phrases.CORRECTION_FRAMES)
            if kind in ("int", "float")
            else ()
            for label, unit, kind in fields
        ),
        series=tuple(f for f, (_, _, kind) in enumerate(fields) if kind == "series"),
        orders=tuple(orders),
        bodies=tuple(bodies),
        kv_doc=percent("\n".join([doc_header, *kv_lines])),
        intros=tuple(
            i.replace("{E}", "{0}").format(
                "{0}", plural=template.plural, a_noun=phrases.article(noun)
            )
            for i in phrases.DOC_INTROS
        ),
        update_intros=tuple(i.replace("{E}", "{0}") for i in phrases.UPDATE_INTROS),
        doc_header=doc_header,
        update_header=phrases.KV_UPDATE_HEADER.replace("{N}", heading).replace("{E}", "{0}"),
    )


_WORDINGS = {name: _wording(t) for name, t in TEMPLATES.items()}


def prose_value(text: str) -> str:
    """A series' canonical text as prose ("1, 2, 3 and 4"); other values unchanged."""
    head, _, last = text.rpartition(", ")
    return f"{head}{phrases.SERIES_LAST}{last}"


def document(rng: _random.Random, world: World, e: int, style: str) -> tuple[str, list[Fact]]:
    """The document introducing entity ``e``: every fact it has, in narrative or key-value form."""
    w = wording(world.template)
    random = rng.random
    row = world.facts[e]
    texts = world.texts[e]
    name = world.names[e]
    hidden = world.hidden.get(e)
    if hidden is None:
        if style == KV:
            return w.kv_doc.fill((name, *texts)), list(row)
        values = [name, *texts]
        for f in w.series:
            values[f + 1] = prose_value(values[f + 1])
        intro = w.intros[int(random() * len(w.intros))]
        in_order, body = w.bodies[int(random() * len(w.bodies))]
        return intro.format(name) + " " + body.fill(values), list(in_order(row))
    return _document_without(random, w, row, texts, name, style, hidden)


def _document_without(
    random: Callable[[], float],
    w: Wording,
    row: list[Fact],
    texts: list[str],
    name: str,
    style: str,
    hidden: int,
) -> tuple[str, list[Fact]]:
    """A document that withholds field ``hidden``, written sentence by sentence."""
    stated = []
    if style == KV:
        parts = [w.doc_header.format(name)]
        for f, fact in enumerate(row):
            if f != hidden:
                parts.append(w.lines[f].format(name, texts[f]))
                stated.append(fact)
        return "\n".join(parts), stated
    series = w.series
    parts = [w.intros[int(random() * len(w.intros))].format(name)]
    for f in w.orders[int(random() * len(w.orders))]:
        if f == hidden:
            continue
        patterns = w.prose[f]
        value = prose_value(texts[f]) if f in series else texts[f]
        parts.append(patterns[int(random() * len(patterns))].format(name, value))
        stated.append(row[f])
    return " ".join(parts), stated


def correction(rng: _random.Random, world: World, change: Change) -> tuple[str, list[Fact]]:
    """The labelled correction sentence: new value, and the value it replaces."""
    patterns = wording(world.template).corrections[change.field]
    text = patterns[int(rng.random() * len(patterns))].format(
        change.new.entity, change.new_text, change.old_text
    )
    return text, [change.new]


def update(rng: _random.Random, world: World, change: Change, style: str) -> tuple[str, list[Fact]]:
    """A short unlabeled update: a few unchanged numbers restated and the changed one, shuffled."""
    w = wording(world.template)
    random = rng.random
    row = world.facts[change.entity]
    row_texts = world.texts[change.entity]
    name = world.names[change.entity]
    fields = list(change.restate)
    fields.insert(int(random() * (len(fields) + 1)), change.field)
    stated = [change.new if f == change.field else row[f] for f in fields]
    texts = [change.new_text if f == change.field else row_texts[f] for f in fields]
    if style == KV:
        parts = [w.update_header.format(name)]
        parts += [w.lines[f].format(name, text) for f, text in zip(fields, texts)]
        return "\n".join(parts), stated
    parts = [w.update_intros[int(random() * len(w.update_intros))].format(name)]
    for f, text in zip(fields, texts):
        patterns = w.prose[f]
        parts.append(patterns[int(random() * len(patterns))].format(name, text))
    return " ".join(parts), stated
