"""The bounded-memory guard: would a memory of a fixed number of events answer a question?

A memory whose size does not grow with the stream keeps a fixed slice of it: the last or the
first K events of one class (any event, pages that are not distractors, documents,
corrections, updates, changes of either kind, events whose text looks like a change), or the
last N tokens. It answers with the reader over what it kept (``evaluate`` over the claims
of those events), or, where that abstains, the last value of the asked attribute they state
about anyone. ``BoundedGuard`` lays out a stream's core items once (per class, the positions of
its items; the running token count) so a generator can ask, for a drafted question at any
position, whether one of these memories gives its gold, and redraw it if so.

Filler between core items is left out: it only pushes items further back, so a memory of core
items alone answers at least what the same memory of the real stream answers. A question whose
answer is a stated value (``STATED_OPS``) is checked only against the memories holding a claim
that states it (``stating``): no other memory can give it, so the verdicts are the same.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from memgym.claims import Claim, parse_number
from memgym.query import ABSTAIN, Table, evaluate

CHANGE_WORD = re.compile(
    r"\b(?:actually|correction|corrected|correcting|update[sd]?|updating|hotfix|erratum|errata|"
    r"changed?|now|instead|revised?|revision|amend(?:ed)?|scratch that|no longer)\b",
    re.IGNORECASE,
)
"""Words that mark a text as a change to an agent that is not told event kinds."""
_CHANGE_STEMS = (
    "actual", "correct", "updat", "hotfix", "errat", "chang", "now", "instead", "revis", "amend",
    "scratch that", "no longer",
)  # fmt: skip
"""Substrings of every ``CHANGE_WORD`` word: a text with none of them needs no regex."""
CLASSES = ("any", "page", "document", "correction", "update", "change", "changeword")
"""The event classes a last-K memory keeps one of (``classes_of``)."""
FIRST_CLASSES = ("events", "page", "document", "correction", "update", "change", "changeword")
"""The classes a first-K memory keeps one of (``events``: every event)."""
SMALL_SHARE = 0.025
"""The most of a stream a memory may hold and still count as small: what ``memgym validate``
judges (``memgym.simulation.bounded.BOUNDED_SHARE``); a generator may pass ``most`` =
``SMALL_SHARE`` times its stream's tokens to ``BoundedGuard.answered_by``."""
LAST_KS = (1, 2, 4, 8, 16)
FIRST_KS = (1, 2, 3, 4, 8, 16)
TOKEN_WINDOWS = (250, 500, 1000, 2000)


def classes_of(kind: str, text: str) -> list[str]:
    """The classes an event of ``kind`` with ``text`` belongs to."""
    out = ["any"]
    if kind != "distractor":
        out.append("page")
    if kind in ("document", "correction", "update"):
        out.append(kind)
    if kind in ("correction", "update"):
        out.append("change")
    low = text.lower()
    if any(stem in low for stem in _CHANGE_STEMS) and CHANGE_WORD.search(text):
        out.append("changeword")
    return out


@dataclass(frozen=True)
class Members:
    """Which bounded memories a guard checks: per class the K of its last-K memories, the K of
    the first-K memories of each class (``FIRST_CLASSES``), and the N of the last-N-token
    windows."""

    last: dict[str, tuple[int, ...]]
    first: tuple[int, ...] = FIRST_KS
    tokens: tuple[int, ...] = TOKEN_WINDOWS


EVERY = Members({c: LAST_KS for c in CLASSES})
"""The whole family."""
EIGHT_PAGES = Members(
    {c: LAST_KS[:4] if c in ("page", "document") else LAST_KS for c in CLASSES}, FIRST_KS[:5]
)
"""The family but the memories of the last or first 16 pages: for a stream of a few dozen
pages (the code chunks of a small repository)."""
FEW_PAGES = Members(
    {c: (1, 2, 4) if c in ("page", "document") else LAST_KS for c in CLASSES}, FIRST_KS[:4]
)
"""The family but the memories of the last or first 8 or 16 pages (or documents): for a stream
whose pages are too few for a memory of 8 of them to be a small part of them."""


def same_answer(answer: str, gold: str) -> bool:
    """Whether ``answer`` states ``gold``: equal numbers, or equal texts up to case and spaces."""
    if answer == gold:
        return True
    a, g = parse_number(answer), parse_number(gold)
    if a is not None and g is not None:
        return a == g
    return " ".join(answer.lower().split()) == " ".join(gold.lower().split())


def asked_attribute(spec: dict[str, Any]) -> str:
    """The attribute a question's answer is a value of (a chain's last relation)."""
    relations = spec.get("relations") or [""]
    return str(spec.get("attribute") or relations[-1])


ONE_CELL = frozenset({"value", "previous", "delta", "trend"})
"""Ops whose answer is one cell of the asked entity."""
STATED_OPS = frozenset({"value", "previous", "hop", "chain"})
"""Ops whose answer, when not an abstention, is a value (or the value before it) that a claim
of the asked attribute states: a memory holding no such claim equal to the gold cannot give it,
whatever else it holds (its fallback, the last stated value, is such a claim too)."""


def answer_keys(text: str) -> tuple[object, ...]:
    """Keys under which ``same_answer`` may match ``text``: its number, its normalised text."""
    number = parse_number(text)
    normal = " ".join(text.lower().split())
    return (normal,) if number is None else (normal, number)


def read_attributes(spec: dict[str, Any]) -> frozenset[str]:
    """The attributes ``evaluate`` reads for ``spec`` (the asked attribute, the relations it
    follows, the attributes its conditions and rules name): claims of others change nothing."""
    out = {str(spec.get("attribute", "")), str(spec.get("relation", ""))}
    out.update(str(r) for r in spec.get("relations", []))
    out.update(str(w[0]) for w in spec.get("where", []) if isinstance(w, list) and w)
    for rule in spec.get("match", []):
        out.update((str(rule[0]), str(rule[2])))
    return frozenset(out)


class BoundedGuard:
    """The bounded memories of one stream of core items (see the module docstring)."""

    def __init__(
        self,
        kinds: Sequence[str],
        texts: Sequence[str],
        claims: Sequence[Sequence[Claim]],
        tokens: Sequence[int],
        members: Members = EVERY,
    ) -> None:
        self.claims = claims
        self.members = members
        self.by_attribute: list[dict[str, list[Claim]]] = []
        """Per item: its claims grouped by attribute, each group in text order."""
        for stated in claims:
            groups: dict[str, list[Claim]] = {}
            for claim in stated:
                groups.setdefault(claim.attribute, []).append(claim)
            self.by_attribute.append(groups)
        self.positions: dict[str, list[int]] = {c: [] for c in (*CLASSES, "events")}
        self.rank: dict[str, dict[int, int]] = {c: {} for c in self.positions}
        """Per class: item -> its place among the class's items."""
        for i, (kind, text) in enumerate(zip(kinds, texts, strict=True)):
            for c in ("events", *classes_of(kind, text)):
                at = self.positions[c]
                self.rank[c][i] = len(at)
                at.append(i)
        self.stating: dict[str, dict[object, list[int]]] = {}
        """attribute -> answer key -> the items whose claims of the attribute state a value (or
        a value before it) under that key, in stream order (built when first asked)."""
        self.tokens = tokens
        self.cumulative = [0]
        """cumulative[i]: the tokens of the first ``i`` items."""
        for count in tokens:
            self.cumulative.append(self.cumulative[-1] + count)

    def kept(
        self,
        p: int,
        members: Members | None = None,
        hits: Sequence[int] | None = None,
        most: int | None = None,
    ) -> dict[tuple[int, ...], str]:
        """Every distinct set of items (indices) a member (of ``members``, else the guard's)
        keeps after the first ``p`` items, with the name of one member keeping it; with
        ``hits`` (items before ``p``), only the sets holding one of them; with ``most``, only
        the sets of at most ``most`` tokens (a memory holding more is not small)."""
        out = self._kept(p, members or self.members, hits)
        if most is None:
            return out
        cumulative = self.cumulative
        tokens = self.tokens
        return {
            held: name
            for held, name in out.items()
            if (
                cumulative[held[-1] + 1] - cumulative[held[0]]
                if len(held) == held[-1] - held[0] + 1  # a run of items: a window
                else sum(tokens[i] for i in held)
            )
            <= most
        }

    def _kept(
        self, p: int, members: Members, hits: Sequence[int] | None
    ) -> dict[tuple[int, ...], str]:
        """``kept`` of every size."""
        out: dict[tuple[int, ...], str] = {}
        for c, ks in members.last.items():
            positions = self.positions[c]
            end = bisect_left(positions, p)
            need = 0  # the least K whose memory holds a hit
            if hits is not None:
                ranks = self._ranks(c, hits)
                if not ranks:
                    continue
                need = end - max(ranks)
            for k in ks:
                if k >= need:
                    out.setdefault(tuple(positions[max(0, end - k) : end]), f"last{k}_{c}")
        for c in FIRST_CLASSES:
            positions = self.positions[c]
            end = bisect_left(positions, p)
            need = 0
            if hits is not None:
                ranks = self._ranks(c, hits)
                if not ranks:
                    continue
                need = min(ranks) + 1
            for k in members.first:
                if k >= need:
                    out.setdefault(tuple(positions[: min(k, end)]), f"first{k}_{c}")
        cumulative = self.cumulative
        latest = p if hits is None else max(hits, default=-1)
        for n in members.tokens:
            start = bisect_left(cumulative, cumulative[p] - n, 0, p + 1)
            if start <= latest:
                out.setdefault(tuple(range(start, p)), f"tokens{n}")
        out.pop((), None)
        return out

    def _stating(self, attribute: str) -> dict[object, list[int]]:
        """``stating[attribute]``, every attribute indexed in one pass on first use."""
        if not self.stating:
            stating = self.stating
            for i, groups in enumerate(self.by_attribute):
                for name, claims in groups.items():
                    found = stating.get(name)
                    if found is None:
                        found = stating[name] = {}
                    for claim in claims:
                        said = (
                            (claim.value,)
                            if claim.previous is None
                            else (claim.value, claim.previous)
                        )
                        for text in said:
                            for key in answer_keys(text):
                                items = found.setdefault(key, [])
                                if not items or items[-1] != i:
                                    items.append(i)
        return self.stating.get(attribute, {})

    def _stating_gold(self, attribute: str, gold: str) -> set[int]:
        """The items with a claim of ``attribute`` that states ``gold`` (by any answer key)."""
        stating = self._stating(attribute)
        return {i for key in answer_keys(gold) for i in stating.get(key, ())}

    def _ranks(self, c: str, hits: Sequence[int]) -> list[int]:
        """The places among class ``c``'s items of those of ``hits`` in it."""
        rank = self.rank[c]
        return [rank[h] for h in hits if h in rank]

    def answered_by(
        self,
        spec: dict[str, Any],
        gold: str,
        p: int,
        members: Members | None = None,
        most: int | None = None,
    ) -> str | None:
        """The name of a member (of ``members``, else the guard's) whose memory after the first
        ``p`` items gives ``gold`` to ``spec`` (None: none does); with ``most``, only members
        holding at most ``most`` tokens there. An abstention's gold is never checked."""
        if gold == ABSTAIN:
            return None
        attribute = asked_attribute(spec)
        read = read_attributes(spec)
        one = spec["entity"] if spec["op"] in ONE_CELL else None  # the one entity read, if one
        hits: list[int] | None = None
        if spec["op"] in STATED_OPS:  # only a memory holding a claim stating the gold may give it
            hits = [i for i in self._stating_gold(attribute, gold) if i < p]
            if not hits:
                return None
        for held, name in self.kept(p, members, hits, most).items():
            if self._gives(held, spec, gold, attribute, read, one):
                return name
        return None

    def answered_alone(self, spec: dict[str, Any], gold: str) -> bool:
        """Whether one item alone, of any class and at any place, gives ``gold`` to ``spec`` (as
        a memory holding only it answers): a question no item answers alone rests on two or
        more, which a random sample of K of n items holds about (K/n)² of the time, not K/n."""
        if gold == ABSTAIN:
            return False
        attribute = asked_attribute(spec)
        items: Sequence[int] = range(len(self.by_attribute))
        if spec["op"] in STATED_OPS:  # only an item stating the gold may give it
            items = sorted(self._stating_gold(attribute, gold))
        read = read_attributes(spec)
        one = spec["entity"] if spec["op"] in ONE_CELL else None
        return any(self._gives((i,), spec, gold, attribute, read, one) for i in items)

    def _gives(
        self,
        held: Sequence[int],
        spec: dict[str, Any],
        gold: str,
        attribute: str,
        read: frozenset[str],
        one: str | None,
    ) -> bool:
        """Whether a memory of the items ``held`` gives ``gold`` (see the module docstring)."""
        table = Table()
        stated = ""
        by_attribute = self.by_attribute
        for i in held:  # cells are per attribute: adding attribute by attribute is the same
            groups = by_attribute[i]
            for a in read:
                for claim in groups.get(a, ()):
                    if a == attribute:
                        stated = claim.value
                    if one is None or claim.entity == one:
                        table.add(claim)
        answer = evaluate(spec, table)
        if answer == ABSTAIN:
            answer = stated
        return bool(answer) and same_answer(answer, gold)
