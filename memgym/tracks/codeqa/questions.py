"""Question drafting: one builder per kind, each choosing a position and its evidence.

A builder picks what to ask, the earliest stream position at which everything it needs has been
stated, and a position ``p`` at or after it (the end when questions are placed there). The gold
is ``memgym.query.evaluate`` over a table of every fact stated in the first ``p`` items, and the
evidence is the facts that decide it. Drafts that repeat a spec, cannot be answered, or that a
memoryless guess would get right are redrawn.
"""

from __future__ import annotations

import random as _random
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from memgym.claims import format_number, parse_number
from memgym.query import ABSTAIN, Table, evaluate
from memgym.tokens import count_tokens
from memgym.tracks.bounded import EIGHT_PAGES, FEW_PAGES, BoundedGuard, Members
from memgym.tracks.codeqa import reader
from memgym.tracks.codeqa.cells import CellsAt, FieldCells
from memgym.tracks.codeqa.stream import FactRec, Item
from memgym.tracks.codeqa.world import World, call_path, path_counts
from memgym.types import AnswerType, Axis, QuestionKind

ATTEMPTS = 60
AXIS_OF: dict[str, Axis] = {
    "retrieval": "breadth",
    "post_correction": "maintenance",
    "previous_value": "maintenance",
    "multi_hop": "reasoning",
    "call_chain": "reasoning",
    "filter_count": "reasoning",
    "abstention": "abstention",
}
SHARES: tuple[tuple[Axis, float], ...] = (
    ("breadth", 0.30),
    ("maintenance", 0.25),
    ("reasoning", 0.40),
    ("abstention", 0.10),
)
KINDS_OF: dict[str, tuple[QuestionKind, ...]] = {
    "breadth": ("retrieval",),
    "maintenance": ("post_correction", "previous_value"),
    "reasoning": ("multi_hop", "call_chain", "filter_count"),
    "abstention": ("abstention",),
}
QUESTION_GAP = 4
"""Pages (core items that are not distractors) between a question and the last item stating
its evidence, so no reader of the last few events or pages can answer it."""
COUNT_SPREAD = 3.2
"""A count question answers 1 to ``COUNT_SPREAD`` times the square root of the repository's
functions (``count_support``): 12 / 16 / 22 at lite / standard / hard, about as far as the
commonest error's raisers leave room for a question in about half the scenarios or more. The
old support 1-6 let the constant 1 hold 24.3 / 23.5 / 20.9 % of them (a 1-in-6 share at
best); now 12.6 / 7.4 / 7.3 % (``docs/tracks.md``)."""
FIRST_SHARE = 0.25
"""Interleaved questions wait for this share of the core items."""
GET_OPS = frozenset({"value", "previous", "hop", "path"})
"""Spec ops whose gold reads only single cells (``CellsAt`` answers them without a table)."""
MIN_CHAIN = 4
"""Functions on a call chain asked about, endpoints included: the two it names and at least two
unknown between them, so a guess from names and places alone must get an ordered pair (or
more) right, not one name of ~11 (lite)."""
MIN_STATED = 15
"""Distinct values of the asked attribute stated before a question whose answer is one of them
(a value question): fewer leave a memoryless pick among too few. Rare at lite (2 of 2,069
value questions over seeds 0-299 had fewer, 11 the least), so the guard redraws little."""
RELAXED: tuple[Members | None, ...] = (None, EIGHT_PAGES, FEW_PAGES)
"""The bounded-memory guard's members, in turn, where no question passes the whole family."""
BLIND_WINDOWS = (5, 10, 20)
"""Recent spans (core items) over which ``Asker._blind`` also takes an entity-blind memory's
picks: what a memory of the last values stated, whoever they are about, would answer."""
ONE_PER_ITEM = True
"""No item states the whole evidence of two questions (``Asker._shared``): a code chunk defining
two asked constants let a memory of one well-chosen event, or a random sample of 4 that drew
it, answer both (issue #66: at lite the best event held 0.20 of the scored questions)."""


@dataclass(slots=True)
class Draft:
    p: int
    kind: QuestionKind
    spec: dict[str, Any]
    text: str
    evidence: list[FactRec]
    answer_type: AnswerType
    gold: Any = None


def plan(rng: _random.Random, questions: int, changes: bool) -> list[QuestionKind]:
    """The kinds to ask, by axis share (largest remainder), rotating within an axis."""
    shares = [(a, s) for a, s in SHARES if changes or a != "maintenance"]
    total = sum(s for _, s in shares)
    exact = [(a, questions * s / total) for a, s in shares]
    counts = {a: int(x) for a, x in exact}
    for a, _ in sorted(exact, key=lambda ax: ax[1] - int(ax[1]), reverse=True):
        if sum(counts.values()) >= questions:
            break
        counts[a] += 1
    kinds: list[QuestionKind] = []
    for axis, count in counts.items():
        options = KINDS_OF[axis]
        offset = int(rng.random() * len(options))
        kinds += [options[(offset + i) % len(options)] for i in range(count)]
    rng.shuffle(kinds)
    return kinds


class Asker:
    """Draws the questions of one scenario from its world and core items."""

    def __init__(self, rng: _random.Random, world: World, items: list[Item], end: bool) -> None:
        self.rng = rng
        self.random = rng.random
        self.world = world
        self.items = items
        self.n = len(items)
        self.end = end
        self.first = max(1, int(FIRST_SHARE * self.n))
        self.seen: set[str] = set()
        self.history: dict[tuple[str, str], list[tuple[int, FactRec]]] = {}
        for pos, item in enumerate(items):
            for fact in item.facts:
                self.history.setdefault((fact.entity, fact.attribute), []).append((pos, fact))
        self.cells = FieldCells(self.history)
        """Each field's cells after each of its facts: the cells of ``table(p)`` for any p."""
        self.raisers: list[list[int]] = [[] for _ in world.errors]
        """error index -> the functions that raise it, in function order."""
        for f, fn in enumerate(world.functions):
            if fn.raises is not None:
                self.raisers[fn.raises].append(f)
        self._typicals: dict[tuple[str, int], str | None] = {}
        self._positions: dict[str, list[int]] = {}
        self._texts: dict[str, list[str]] = {}
        """attribute -> the position and the value text of every fact of it, in stream order."""
        for pos, item in enumerate(items):
            for fact in item.facts:
                if fact.attribute not in self._texts:
                    self._positions[fact.attribute], self._texts[fact.attribute] = [], []
                self._positions[fact.attribute].append(pos)
                self._texts[fact.attribute].append(fact.text)
        self._distinct: dict[str, list[int]] = {}
        """attribute -> for each k, how many distinct values its first k + 1 values hold."""
        self._integral: dict[str, int] = {}
        """attribute -> how many of its first values are written without a decimal point."""
        self._numbers: dict[str, list[float] | None] = {}
        """attribute -> its values in ``_texts`` as numbers (None: not all are numbers),
        parsed when the attribute is first asked about (``_numbers_of``)."""
        self._blinds: dict[tuple[str, int], frozenset[str]] = {}
        self._leading: dict[str, list[str]] = {}
        midpoints = [const.family.midpoint for const in world.constants]
        self._guesses: dict[str, list[float]] = {
            "int": [round(m) for m in midpoints],
            "float": midpoints,
        }
        """answer type -> the family midpoints a memoryless guesser answers."""
        self.paths = path_counts(world)
        self._targets: dict[int, list[int]] = {}
        """function -> the functions it reaches by exactly one call path of at least
        ``MIN_CHAIN`` functions, in order."""
        self._chains: dict[tuple[int, int], tuple[list[str], int] | None] = {}
        self.within = False
        """Whether ``_position`` draws within the stream (a last resort, see ``_try``)."""
        self.count_targets = count_support(len(world.functions))
        rng.shuffle(self.count_targets)
        """Count golds to draw, in turn: a scenario's count questions answer distinct counts
        while the support lasts, so a constant is right on at most one of them."""
        self.count_target = self.count_targets[0]
        """The count ``filter_count`` asks for (``_try`` sets it from ``count_targets``)."""
        self.raised_at = [
            sorted(self._pos(world.functions[f].name, "raises") for f in fs) for fs in self.raisers
        ]
        """error index -> the positions stating its raisers, in stream order."""
        self.changed = {ch.constant for ch in world.changes}
        self.maintained: set[str] = set()
        """Constants a maintenance question asks about: one question each (``_change_question``)."""
        self.stated_at = {id(fact): pos for hist in self.history.values() for pos, fact in hist}
        """id of a fact record -> the item stating it."""
        self.holding: set[int] = set()
        """Items that state the whole evidence of a question drawn (``_shared``)."""
        for item in items:  # counted once: ``assemble`` reads it back
            if item.tokens < 0:
                item.tokens = count_tokens(item.text)
        self.guard = BoundedGuard(
            [item.kind for item in items],
            [item.text for item in items],
            [reader.read(item.text) for item in items],
            [item.tokens for item in items],
        )
        """The bounded-memory guard over the core items (``memgym.tracks.bounded``): the whole
        family, or while ``relaxed`` is set those members (fewer pages; see ``ask``)."""
        self.relaxed: Members | None = None
        self.pages_before = [0]
        """pages_before[p]: items among the first ``p`` that are not distractors (pages)."""
        for item in items:
            self.pages_before.append(self.pages_before[-1] + (item.kind != "distractor"))

    # -- helpers ---------------------------------------------------------------------------

    def _pick(self, n: int) -> int:
        return int(self.random() * n)

    def _pos(self, entity: str, attribute: str) -> int:
        """The item position where this field is first stated."""
        return self.history[(entity, attribute)][0][0]

    def _at(self, entity: str, attribute: str, p: int) -> FactRec | None:
        """The fact that holds for this field after the first ``p`` items."""
        found = None
        for pos, fact in self.history.get((entity, attribute), ()):
            if pos >= p:
                break
            found = fact
        return found

    def _position(self, need: int, wide: bool = True) -> int:
        """A question position at or after ``need`` (the end if questions go there): an offset
        drawn over the stream's whole length past the earliest allowed place (denser further on),
        so past the end (``_try`` redraws the question) when it is late; within what is left
        when ``within`` (a kind that found no question otherwise) or not ``wide`` (counts and
        abstentions, whose answers are no stated value). A draw within what is left would pile
        the questions about late statements right after them (a change that lands near the
        end), and with them the gold's place counted from the end of the values stated."""
        if self.end:
            return self.n
        lo = min(self.n, max(self.first, need + QUESTION_GAP))
        if self.within or not wide:
            return lo + self._pick(self.n - lo + 1)
        return lo + int((self.n + 1) * self.random() ** 0.5)

    def _table(self, draft: Draft) -> Table:
        """What ``evaluate`` needs of the table after the draft's first ``p`` items: its cells
        (single-cell ops), or the rows of the attributes a count's conditions name."""
        if draft.spec["op"] in GET_OPS:
            return CellsAt(self.cells, draft.p)
        return self.cells.table(draft.p, {attribute for attribute, _, _ in draft.spec["where"]})

    def _answer_type(self, c: int) -> AnswerType:
        return "float" if self.world.constants[c].family.decimals else "int"

    # -- builders --------------------------------------------------------------------------

    def retrieval(self) -> Draft | None:
        c = self._pick(len(self.world.constants))
        if c in self.changed:
            return None
        name = self.world.constants[c].name
        p = self._position(self._pos(name, "value") + 1)
        if p > self.n:
            return None  # past the end: ``_try`` redraws it (no draw follows the position)
        spec = {"op": "value", "entity": name, "attribute": "value"}
        text = f"In the {self.world.package} source, what is the value of the constant {name}?"
        fact = self._at(name, "value", p)
        assert fact is not None
        return Draft(p, "retrieval", spec, text, [fact], self._answer_type(c))

    def _change_question(self, kind: QuestionKind) -> Draft | None:
        if not self.world.changes:
            return None
        change = self.world.changes[self._pick(len(self.world.changes))]
        name = self.world.constants[change.constant].name
        if name in self.maintained:
            return None  # its last note would answer both: a sample holding it, two questions
        hist = self.history[(name, "value")]
        p = self._position(hist[-1][0] + 1)
        if p > self.n:
            return None
        if kind == "post_correction":
            spec = {"op": "value", "entity": name, "attribute": "value"}
            text = (
                f"What is the current value of {name} in {self.world.package}, after every "
                "hotfix and changelog entry so far?"
            )
            evidence = [hist[-1][1]]
        else:
            if self.items[hist[-1][0]].kind != "update":
                return None  # a hotfix note states both values: one note would answer it
            spec = {"op": "previous", "entity": name, "attribute": "value"}
            text = f"What was the value of {name} before its most recent change?"
            evidence = [hist[-2][1], hist[-1][1]]
        return Draft(p, kind, spec, text, evidence, self._answer_type(change.constant))

    def post_correction(self) -> Draft | None:
        return self._change_question("post_correction")

    def previous_value(self) -> Draft | None:
        return self._change_question("previous_value")

    def multi_hop(self) -> Draft | None:
        """The value of the constant a function reads: the ``uses`` hop gives the constant, the
        value hop its value, one of the ~36-60 values stated (constants and config audits)
        that the guards of ``_guessable`` cover. A hop from a function to its one callee's
        module is not asked: its 4-10 answers (the package's modules) left a memoryless guess
        1 in 5 and, after the guards, the 2nd module first seen held 68-74 % of lite's
        questions."""
        fn = self.world.functions[self._pick(len(self.world.functions))]
        if fn.uses is None:
            return None
        const = self.world.constants[fn.uses].name
        p = self._position(max(self._pos(fn.name, "uses"), self._pos(const, "value")) + 1)
        if p > self.n:
            return None
        spec = {"op": "hop", "entity": fn.name, "relation": "uses", "attribute": "value"}
        text = (
            f"{fn.name}() reads one module-level constant. What is that constant's value "
            "at this point?"
        )
        value = self._at(const, "value", p)
        uses = self._at(fn.name, "uses", p)
        assert value is not None and uses is not None
        return Draft(p, "multi_hop", spec, text, [uses, value], self._answer_type(fn.uses))

    def call_chain(self) -> Draft | None:
        a = self._pick(len(self.world.functions))
        targets = self._targets.get(a)
        if targets is None:
            targets = self._targets[a] = sorted(
                b for b, n in self.paths[a].items() if n == 1 and self._chain(a, b) is not None
            )
        if not targets:
            return None
        b = targets[self._pick(len(targets))]
        chain = self._chain(a, b)
        if chain is None:
            return None
        names, need = chain
        p = self._position(need)
        if p > self.n:
            return None
        evidence = [self._at(name, "calls", p) for name in names[:-1]]
        spec = {"op": "path", "from": names[0], "to": names[-1], "relation": "calls"}
        text = (
            f"Through which functions does {names[0]}() reach {names[-1]}()? Answer with the "
            f"call chain from {names[0]} to {names[-1]}, names joined by ' -> '."
        )
        return Draft(p, "call_chain", spec, text, [f for f in evidence if f is not None], "text")

    def _chain(self, a: int, b: int) -> tuple[list[str], int] | None:
        """The names on the one call path from ``a`` to ``b`` (None: none of ``MIN_CHAIN`` or more)
        and the position after which all its links are stated (remembered per pair)."""
        key = (a, b)
        if key not in self._chains:
            path = call_path(self.world, a, b, self.paths)
            if path is None or len(path) < MIN_CHAIN:
                self._chains[key] = None
            else:
                names = [self.world.functions[f].name for f in path]
                need = max(self._pos(name, "calls") for name in names[:-1]) + 1
                self._chains[key] = (names, need)
        return self._chains[key]

    def filter_count(self) -> Draft | None:
        """How many functions shown so far raise an error: the error drawn, then a position
        where the count is ``count_target`` (after its k-th raiser is stated, before its next
        one), so every count of ``count_support`` is asked wherever it can be, not only where
        a uniform position happens to land on it (the narrow windows of large counts)."""
        e = self._pick(len(self.world.errors))
        error = self.world.errors[e]
        stated = self.raised_at[e]
        k = self.count_target
        if self.end:
            p = self.n
        else:
            if len(stated) < k:
                return None
            lo = max(self.first, stated[k - 1] + 1)
            hi = stated[k] if k < len(stated) else self.n
            if lo > hi:
                return None
            p = lo + self._pick(hi - lo + 1)
        where: list[list[Any]] = [["raises", "==", error]]
        scope = self.raisers[e]  # a function raising another error states another value
        text = (
            f"Among the functions of {self.world.package} shown so far, how many directly "
            f"raise {error}?"
        )
        # Not scoped to a module: a module has too few raisers for the counts 4-6, so the
        # module-scoped count answered 1-4 and the constant 2 held 40.7 / 47.6 / 57.5 % of it
        # (lite / standard / hard; bench/studies/template_guessability.py).
        evidence: list[FactRec] = []
        for f in scope:
            raised = self._at(self.world.functions[f].name, "raises", p)
            if raised is not None and raised.value == error:
                evidence.append(raised)
        if not evidence:
            return None
        spec = {"op": "count", "where": where}
        return Draft(p, "filter_count", spec, text, evidence, "int")

    def abstention(self) -> Draft | None:
        """A retrieval or module question about a ghost: asked after a distractor names it."""
        ghost = self._pick(len(self.world.ghost_constants))
        const = self.random() < 0.5
        name = (self.world.ghost_constants if const else self.world.ghost_functions)[ghost]
        mentioned = [pos for pos, item in enumerate(self.items) if name in item.text]
        p = self._position(mentioned[0] + 1 if mentioned else self.first, wide=False)
        if const:
            spec = {"op": "value", "entity": name, "attribute": "value"}
            text = f"In the {self.world.package} source, what is the value of the constant {name}?"
        else:
            spec = {"op": "value", "entity": name, "attribute": "module"}
            text = (
                f"Which module of {self.world.package} defines {name}()? Answer with the dotted "
                "module path."
            )
        return Draft(p, "abstention", spec, text, [], "abstain")

    # -- drawing ---------------------------------------------------------------------------

    def _typical(self, attribute: str, p: int) -> str | None:
        """What a ``stats`` memory shows for ``attribute`` after ``p`` items: the median of
        every value stated so far (numbers), else the most common one (remembered per
        attribute and position)."""
        key = (attribute, p)
        if key not in self._typicals:
            self._typicals[key] = self._typical_of(attribute, p)
        return self._typicals[key]

    def _stated_before(self, attribute: str, p: int) -> int:
        """How many values of ``attribute`` the first ``p`` items state."""
        return bisect_left(self._positions.get(attribute, ()), p)

    def _distinct_before(self, attribute: str, p: int) -> int:
        """How many distinct values of ``attribute`` the first ``p`` items state."""
        end = self._stated_before(attribute, p)
        if not end:
            return 0
        counts = self._distinct.get(attribute)
        if counts is None:
            seen: set[str] = set()
            counts = self._distinct[attribute] = []
            for text in self._texts[attribute]:
                seen.add(text)
                counts.append(len(seen))
        return counts[end - 1]

    def _typical_of(self, attribute: str, p: int) -> str | None:
        end = self._stated_before(attribute, p)
        if not end:
            return None
        numbers = self._numbers_of(attribute)
        if numbers is None:
            return self._leaders(attribute)[end - 1]
        mid = _median(numbers[:end])
        return format_number(round(mid) if end <= self._integral_of(attribute) else mid)

    def _integral_of(self, attribute: str) -> int:
        """How many of ``attribute``'s first values have no decimal point (all: its count)."""
        found = self._integral.get(attribute)
        if found is None:
            texts = self._texts[attribute]
            found = next((i for i, t in enumerate(texts) if "." in t), len(texts))
            self._integral[attribute] = found
        return found

    def _numbers_of(self, attribute: str) -> list[float] | None:
        """``attribute``'s values in stream order as numbers, or None when one is not a number
        (parsing stops there)."""
        if attribute not in self._numbers:
            parsed = []
            for text in self._texts[attribute]:
                number = parse_number(text)
                if number is None:
                    self._numbers[attribute] = None
                    return None
                parsed.append(number)
            self._numbers[attribute] = parsed
        return self._numbers[attribute]

    def _leaders(self, attribute: str) -> list[str]:
        """For each k, the commonest of ``attribute``'s first k + 1 values in stream order
        (ties: the first seen), as ``Counter.most_common`` would say, in one pass."""
        found = self._leading.get(attribute)
        if found is None:
            counts: dict[str, int] = {}
            first: dict[str, int] = {}
            found = self._leading[attribute] = []
            best = ""
            for i, text in enumerate(self._texts[attribute]):
                counts[text] = counts.get(text, 0) + 1
                first.setdefault(text, i)
                if not found or (counts[text], -first[text]) > (counts[best], -first[best]):
                    best = text
                found.append(best)
        return found

    def _blind(self, attribute: str, p: int) -> frozenset[str]:
        """What a memory of ``attribute``'s values without whose they are answers after ``p``
        items: the first, last, second-last and commonest value stated so far (ties: the first
        seen), and the first and commonest within each of the last ``BLIND_WINDOWS`` items
        (remembered per attribute and position)."""
        key = (attribute, p)
        found = self._blinds.get(key)
        if found is None:
            texts = self._texts.get(attribute, [])
            end = self._stated_before(attribute, p)
            picks = set(texts[: min(end, 1)] + texts[max(0, end - 2) : end])
            if end:
                picks.add(self._leaders(attribute)[end - 1])
            for window in BLIND_WINDOWS:
                recent = texts[self._stated_before(attribute, p - window) : end]
                if recent:
                    picks |= {recent[0], Counter(recent).most_common(1)[0][0]}
            found = self._blinds[key] = frozenset(picks)
        return found

    def _guessable(self, draft: Draft, gold: str) -> bool:
        """Whether a memoryless guess (a family's midpoint, the stream's typical value of the
        asked attribute) or an entity-blind memory (``_blind``) would hit the gold."""
        if draft.kind == "filter_count":
            return False  # counts are spread evenly over ``count_support`` instead
        attribute = str(draft.spec.get("attribute", ""))
        if gold == self._typical(attribute, draft.p) or gold in self._blind(attribute, draft.p):
            return True
        if draft.answer_type not in ("int", "float"):
            return False
        value = float(gold)
        return any(
            abs(value - g) <= max(0.01 * abs(g), 0.005) for g in self._guesses[draft.answer_type]
        )

    def _too_recent(self, draft: Draft) -> bool:
        """Whether fewer than ``QUESTION_GAP`` pages (items that are not distractors) come
        between the last item stating the question's evidence and the question; for a count,
        the first item stating a fact it counts (a reader of the last few pages then misses
        one at least, and a count may be asked between any two raisers stated apart)."""
        if not draft.evidence:
            return False
        at = [self.stated_at[id(f)] for f in draft.evidence]
        last = min(at) if draft.kind == "filter_count" else max(at)
        return self.pages_before[draft.p] - self.pages_before[last + 1] < QUESTION_GAP

    def _holder(self, draft: Draft) -> int | None:
        """The one item stating the draft's whole evidence (None: none, or it spans items)."""
        at = {self.stated_at[id(f)] for f in draft.evidence}
        return at.pop() if len(at) == 1 else None

    def _shared(self, draft: Draft) -> bool:
        """Whether the one item stating the draft's whole evidence already states a drawn
        question's (``ONE_PER_ITEM``)."""
        return ONE_PER_ITEM and self._holder(draft) in self.holding

    def _few_stated(self, draft: Draft) -> bool:
        """Whether a value question comes before ``MIN_STATED`` distinct values of its
        attribute have been stated."""
        if draft.answer_type not in ("int", "float") or draft.kind == "filter_count":
            return False
        return self._distinct_before(str(draft.spec["attribute"]), draft.p) < MIN_STATED

    def _try(self, kind: QuestionKind) -> Draft | None:
        build = _BUILDERS[kind]
        target = ""  # a count question's gold, as text
        if kind == "filter_count":  # the next try asks for the next count, hit or miss
            self.count_target = self.count_targets[0]
            self.count_targets.append(self.count_targets.pop(0))
            target = str(self.count_target)
        for attempt in range(2 * ATTEMPTS):
            self.within = attempt >= ATTEMPTS
            draft = build(self)
            if draft is None:
                continue
            if draft.p > self.n:
                continue
            key = repr(draft.spec)
            if kind == "filter_count":  # one error's count again, where it is another count
                key += f" = {target}"
            if key in self.seen:
                continue
            if self._too_recent(draft):
                continue
            if self._few_stated(draft) or self._shared(draft):
                continue
            if kind == "filter_count" and str(_counted(draft)) != target:
                continue  # its gold would be this count (see ``_counted``)
            gold = evaluate(draft.spec, self._table(draft))
            if (gold == ABSTAIN) != (kind == "abstention") or self._guessable(draft, gold):
                continue
            if self.guard.answered_by(draft.spec, gold, draft.p, self.relaxed) is not None:
                continue  # a memory of a fixed number of events would answer it
            if kind == "filter_count" and gold != target:
                continue
            self.seen.add(key)
            holder = self._holder(draft)
            if holder is not None:
                self.holding.add(holder)
            if AXIS_OF[kind] == "maintenance":
                self.maintained.add(draft.spec["entity"])
            draft.gold = _typed(gold, draft.answer_type)
            self.within = False
            return draft
        self.within = False
        return None

    def ask(self, kind: QuestionKind) -> Draft:
        """A question of ``kind``, else of another kind of its axis, else any other kind."""
        axis = AXIS_OF[kind]
        order: list[QuestionKind] = [kind, *(k for k in KINDS_OF[axis] if k != kind)]
        order += [k for k in _BUILDERS if k not in order]
        for relaxed in RELAXED:  # a small repository may leave no question that a memory of
            self.relaxed = relaxed  # 16 (then 8) pages does not answer: such a memory is let be
            for candidate in order:
                draft = self._try(candidate)
                if draft is not None:
                    self.relaxed = None
                    return draft
        self.relaxed = None
        raise ValueError(
            f"questions ({len(self.seen) + 1} so far) is too many for this repository: no new "
            f"distinct {kind} question could be drawn; ask fewer or grow functions/constants"
        )


_BUILDERS: dict[QuestionKind, Callable[[Asker], Draft | None]] = {
    "retrieval": Asker.retrieval,
    "post_correction": Asker.post_correction,
    "previous_value": Asker.previous_value,
    "multi_hop": Asker.multi_hop,
    "call_chain": Asker.call_chain,
    "filter_count": Asker.filter_count,
    "abstention": Asker.abstention,
}


def _median(numbers: list[float]) -> float:
    """``statistics.median`` of a non-empty list (the same sort and middle, without its checks
    and conversions)."""
    data = sorted(numbers)
    half = len(data) // 2
    return data[half] if len(data) % 2 else (data[half - 1] + data[half]) / 2


def _counted(draft: Draft) -> int:
    """A ``filter_count`` draft's gold without a table: the functions whose ``raises`` fact is
    in its evidence. Only functions state ``raises``, once each and in the chunk that states
    their module, so these are the rows the count's ``where`` selects
    (``tests/tracks/test_codeqa_cells.py`` checks it against ``evaluate``)."""
    return sum(fact.attribute == "raises" for fact in draft.evidence)


def count_support(functions: int) -> list[int]:
    """The counts a count question answers in a repository of ``functions`` functions: 1 to
    ``COUNT_SPREAD * sqrt(functions)`` (at least 6)."""
    return list(range(1, max(6, round(COUNT_SPREAD * functions**0.5)) + 1))


def _typed(gold: str, answer_type: AnswerType) -> int | float | str | None:
    """The gold in its answer type (None for an abstention)."""
    if answer_type == "abstain":
        return None
    if answer_type == "int":
        return int(gold)
    return float(gold) if answer_type == "float" else gold


def draw_questions(
    rng: _random.Random, world: World, items: list[Item], kinds: list[QuestionKind], end: bool
) -> list[Draft]:
    """One draft per planned kind, in plan order."""
    asker = Asker(rng, world, items, end)
    return [asker.ask(kind) for kind in kinds]
