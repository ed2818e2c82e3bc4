"""Fictional, syllable-built names for the research graph, and near-miss names for siblings.

Each entity type has its own syllable pools, so a person's surname never reads like a town or an
organisation stem. A near miss keeps one part of a name and redraws the other (same surname, new
first name; same stem, new suffix; ...), which is what makes a sibling search result plausible.
Every name of a world is unique; all choices come from the scenario's ``random``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from itertools import product

from memgym.tracks.research.schema import EVENT, ORG, PERSON, PLACE

Random01 = Callable[[], float]

FIRST = (
    (
        "Mi",
        "Ta",
        "Or",
        "Ve",
        "Lu",
        "Sa",
        "Ke",
        "Da",
        "No",
        "Ri",
        "Ju",
        "Ar",
        "Be",
        "Ca",
        "Fe",
        "Io",
    ),
    ("ra", "len", "mo", "na", "vik", "dor", "sa", "ris", "tal", "nel", "ma", "bel"),
)
SURNAME = (
    (
        "Tol",
        "Vask",
        "Dre",
        "Mor",
        "Quil",
        "Bran",
        "Ess",
        "Hal",
        "Lor",
        "Pen",
        "Riv",
        "Sol",
        "Tam",
        "Ulv",
        "Wen",
        "Yor",
        "Cas",
        "Fen",
        "Gar",
        "Kel",
    ),
    ("vane", "ard", "enko", "ley", "mir", "ton", "berg", "ova", "ish", "quist", "more", "ade"),
)
ORG_STEM = (
    (
        "Van",
        "Quel",
        "Ostr",
        "Pell",
        "Cyr",
        "Ambr",
        "Tessel",
        "Nov",
        "Hel",
        "Ard",
        "Sym",
        "Corv",
        "Lum",
        "Zeph",
        "Brix",
        "Orth",
    ),
    ("tor", "ion", "ex", "ara", "ium", "eon", "ant", "ix", "ora", "en"),
)
ORG_SUFFIX = (
    "Labs",
    "Institute",
    "Systems",
    "Foundation",
    "Works",
    "Group",
    "Society",
    "Collective",
    "Press",
    "Observatory",
)
PLACE_PARTS = (
    (
        "Drel",
        "Ash",
        "Cor",
        "Vel",
        "Mar",
        "Tarn",
        "Bel",
        "Oster",
        "Wyn",
        "Hal",
        "Kes",
        "Lun",
        "Brom",
        "Fal",
        "Gal",
        "Ner",
        "Pell",
        "Rud",
        "Sab",
        "Thorn",
        "Ux",
        "Yar",
        "Zel",
        "Quor",
    ),
    (
        "mouth",
        "ford",
        "wick",
        "holm",
        "stead",
        "by",
        "haven",
        "moor",
        "field",
        "crest",
        "dale",
        "port",
        "gate",
        "mere",
        "ton",
        "bury",
    ),
)
EVENT_STEM = (
    (
        "Aur",
        "Bel",
        "Cal",
        "Dor",
        "Eld",
        "Fir",
        "Gal",
        "Hes",
        "Ist",
        "Jor",
        "Kal",
        "Lir",
        "Mer",
        "Nim",
        "Ond",
        "Pyr",
    ),
    ("ora", "ane", "eth", "iva", "une", "osa", "ith", "ara"),
)
EVENT_KIND = (
    "Symposium",
    "Summit",
    "Forum",
    "Congress",
    "Colloquium",
    "Expo",
    "Workshop",
    "Assembly",
)
MAX_TRIES = 200
KEEP_HEAD = {ORG: 0.75, EVENT: 0.75}
"""Chance a near miss keeps the first part (an organisation's or event's distinctive stem)."""


def _pick(random: Random01, options: tuple[str, ...]) -> str:
    return options[int(random() * len(options))]


_OPTIONS: dict[tuple[str, bool], tuple[tuple[str, ...], ...]] = {
    (PERSON, True): FIRST,
    (PERSON, False): SURNAME,
    (ORG, True): ORG_STEM,
    (ORG, False): (ORG_SUFFIX,),
    (PLACE, True): (PLACE_PARTS[0],),
    (PLACE, False): (PLACE_PARTS[1],),
    (EVENT, True): EVENT_STEM,
    (EVENT, False): (EVENT_KIND,),
}
"""(kind, head) -> the option lists one part of a name is drawn from, one pick from each in
order and joined: a person's first name and surname and an organisation's or event's stem
are two picks, every other part one."""


def _part(random: Random01, kind: str, head: bool) -> str:
    """One part of a fresh name of ``kind`` (its head or its tail): ``Namer.fresh`` draws both,
    a near miss the one that goes with the part it keeps."""
    options = _OPTIONS.get((kind, head))
    if options is None:
        raise ValueError(f"unknown entity type {kind!r}")
    if len(options) == 1:
        return options[0][int(random() * len(options[0]))]
    first, second = options
    return first[int(random() * len(first))] + second[int(random() * len(second))]


def _near_misses(
    head: str,
    tail: str,
    space: str,
    heads: tuple[tuple[str, ...], ...],
    tails: tuple[tuple[str, ...], ...],
) -> Iterator[str]:
    """Every name sharing ``head`` or ``tail`` that ``Namer.near_miss`` could draw."""
    for parts in product(*tails):
        yield head + space + "".join(parts)
    for parts in product(*heads):
        yield "".join(parts) + space + tail


def _join(kind: str, parts: tuple[str, str]) -> str:
    return parts[0] + parts[1] if kind == PLACE else f"{parts[0]} {parts[1]}"


class Namer:
    """Hands out unique names for one world."""

    def __init__(self, random: Random01) -> None:
        self.random = random
        self.parts: dict[str, tuple[str, str]] = {}
        self.exhausted: set[str] = set()
        """Names every near miss of which is taken (for good: names are never given back)."""

    def fresh(self, kind: str) -> str:
        """A new name of ``kind`` that no entity of this world has yet."""
        random, taken = self.random, self.parts
        for _ in range(MAX_TRIES):
            parts = (_part(random, kind, True), _part(random, kind, False))  # head drawn first
            joined = _join(kind, parts)
            if joined not in taken:
                taken[joined] = parts
                return joined
        raise ValueError(f"ran out of fictional {kind} names; lower tasks, hops or siblings")

    def near_miss(self, kind: str, name: str) -> str:
        """A new name of ``kind`` that shares one part with ``name`` (a sibling's name). The
        draws of ``_part`` inlined: a holder with many look-alikes runs out of near misses, and
        then every one of ``MAX_TRIES`` tries draws again (a place keeps one of two parts, one
        of them drawn from eight tails)."""
        head, tail = self.parts[name]
        random, taken = self.random, self.parts
        keep = KEEP_HEAD.get(kind, 0.5)
        space = "" if kind == PLACE else " "
        heads, tails = _OPTIONS.get((kind, True)), _OPTIONS.get((kind, False))
        if heads is None or tails is None:
            raise ValueError(f"unknown entity type {kind!r}")
        if name in self.exhausted:  # every try fails: the same draws, no name built
            for _ in range(MAX_TRIES):
                for _ in tails if random() < keep else heads:
                    random()
            return self.fresh(kind)
        for _ in range(MAX_TRIES):
            keep_head = random() < keep
            options = tails if keep_head else heads
            if len(options) == 1:
                drawn = options[0][int(random() * len(options[0]))]
            else:
                first, second = options
                drawn = first[int(random() * len(first))] + second[int(random() * len(second))]
            if keep_head:
                joined = head + space + drawn  # _join
                if joined not in taken:
                    taken[joined] = (head, drawn)
                    return joined
            else:
                joined = drawn + space + tail
                if joined not in taken:
                    taken[joined] = (drawn, tail)
                    return joined
        if all(n in taken for n in _near_misses(head, tail, space, heads, tails)):
            self.exhausted.add(name)
        return self.fresh(kind)
