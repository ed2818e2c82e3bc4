"""The bounded-memory family's members: memories whose size does not grow with the stream.

Each member keeps a fixed number of events (or tokens), whatever the stream's length, and
answers every question with the scripted reader (``memgym.query.evaluate`` over the claims the
track's reader finds in what it kept), marked by the scorer's own ``is_correct``:

- ``last{K}:{class}``: the last K events of one class (K = 1, 2, 4, 8, 16);
- ``first{K}:{class}``: the first K events of one class (K = 1, 2, 3, 4, 8, 16; ``first3:page``
  is the red team's ``first_3_pages``);
- ``reservoir{K}:{class}``: a seeded reservoir sample of K events of one class (K = 4, 16);
- ``tokens{N}``: the last events that fit in N tokens (N = 250, 500, 1000, 2000);
- ``learned{N}``: the events a classifier trained on other seeds scores likeliest to be asked
  about, as many as fit in N tokens (N = 250, 500, 1000; ``memgym.simulation.learned_selector``;
  present when scikit-learn is installed).

Classes (``CLASSES``): every event (``any``), every non-distractor event (``page``), each event
kind (``document``, ``correction``, ``update``, ``distractor``, ``session``) and the events whose
text looks like a change (``change``: a word such as 'actually', 'corrected', 'now' or
'updated', found in the text alone, as an agent told nothing of kinds could keep them).
``memgym.simulation.bounded`` scores them and their union.
"""

from __future__ import annotations

import heapq
import random
import re
import statistics
import sys
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache

from memgym.query import ABSTAIN, Fragment, Table, evaluate
from memgym.scoring import is_correct
from memgym.scoring.reading import Names, answer_names
from memgym.simulation.cheats import template_key
from memgym.simulation.learned_selector import SELECTOR_BUDGETS, Selector, auroc, read_stream
from memgym.simulation.learned_selector import available as learned_available
from memgym.tokens import count_tokens
from memgym.tracks import Track
from memgym.tracks.registry import stream_events
from memgym.types import Event, GoldQuestion, Question, Scenario

CLASSES = ("any", "page", "document", "correction", "update", "change", "distractor", "session")
"""Event classes a member keeps events of (see the module docstring)."""
LAST_K = (1, 2, 4, 8, 16)
FIRST_K = (1, 2, 3, 4, 8, 16)
RESERVOIR_K = (4, 16)
TOKENS_N = (250, 500, 1000, 2000)
QUICK_CLASSES = ("any", "page", "correction", "update", "change")
"""The classes of the quick family (validate's default): the kinds a change is in, and all."""
CHANGE = re.compile(
    r"\b(?:actually|correction|corrected|update[sd]?|hotfix|erratum|errata|changed?|now|"
    r"revised|instead|no longer)\b",
    re.IGNORECASE,
)
"""Words that make an event look like a change, read from its text alone."""
_CHANGE_STEMS = (
    "actual",
    "correct",
    "updat",
    "hotfix",
    "errat",
    "chang",
    "now",
    "revis",
    "instead",
    "no longer",
)


def looks_like_change(text: str) -> bool:
    """``CHANGE`` finds a word in ``text`` (a substring pre-check first: most texts have none)."""
    low = text.lower()
    return any(stem in low for stem in _CHANGE_STEMS) and CHANGE.search(text) is not None


@dataclass(frozen=True)
class Member:
    """One bounded memory: keeps ``size`` events of ``event_class`` by ``rule`` (or, for
    ``tokens``, the last events that fit in ``size`` tokens)."""

    rule: str
    """``last``, ``first``, ``reservoir``, ``tokens`` or ``learned``."""
    size: int
    event_class: str = "any"

    @property
    def name(self) -> str:
        if self.rule in BY_TOKENS:
            return f"{self.rule}{self.size}"
        return f"{self.rule}{self.size}:{self.event_class}"

    @property
    def group(self) -> str:
        """The member's shape without its size: ``last:correction``, ``tokens``."""
        return self.rule if self.rule in BY_TOKENS else f"{self.rule}:{self.event_class}"


BY_TOKENS = frozenset({"tokens", "learned"})
"""Rules whose size is a token budget (they keep events of every class)."""


@cache
def family(full: bool = False) -> tuple[Member, ...]:
    """The members: every class with ``full``, else ``QUICK_CLASSES`` (and first-K only of
    ``any`` and ``page``); the learned members last, when scikit-learn is installed."""
    classes = CLASSES if full else QUICK_CLASSES
    first_classes = CLASSES if full else ("any", "page")
    return (
        *(Member("last", k, c) for c in classes for k in LAST_K),
        *(Member("first", k, c) for c in first_classes for k in FIRST_K),
        *(Member("reservoir", k, c) for c in classes for k in RESERVOIR_K),
        *(Member("tokens", n) for n in TOKENS_N),
        *(Member("learned", n) for n in (SELECTOR_BUDGETS if learned_available() else ())),
    )


def event_classes(event: Event) -> list[str]:
    """The classes ``event`` belongs to (``any``, its kind, ``page`` unless a distractor,
    ``change`` when its text looks like one)."""
    out = ["any", event.kind]
    if event.kind != "distractor":
        out.append("page")
    if looks_like_change(event.text):
        out.append("change")
    return out


class Keeper:
    """Every member's kept texts, updated one event at a time (one pass per scenario)."""

    def __init__(self, members: Sequence[Member], seed: int) -> None:
        self.members = members
        classes = {m.event_class for m in members if m.rule not in BY_TOKENS}
        self.last = {c: deque[str](maxlen=max(LAST_K)) for c in classes}
        self.first: dict[str, list[str]] = {c: [] for c in classes}
        self.seen = dict.fromkeys(classes, 0)
        self.reservoirs = {
            (m.event_class, m.size): list[str]() for m in members if m.rule == "reservoir"
        }
        self.rngs = {key: random.Random(f"{seed}:{key[0]}:{key[1]}") for key in self.reservoirs}
        self.tail: deque[tuple[str, int]] = deque()
        self.tail_tokens = 0
        self.max_tokens = max((m.size for m in members if m.rule == "tokens"), default=0)
        self.learned: dict[int, Learned] = {
            m.size: Learned(m.size) for m in members if m.rule == "learned"
        }

    def observe(self, event: Event, score: float = 0.0) -> None:
        """Keep ``event`` where each member would (``score``: the learned selector's)."""
        if self.learned:
            tokens = count_tokens(event.text)
            for best in self.learned.values():
                best.add(event.text, tokens, score)
        classes = event_classes(event)
        for c in classes:
            if c not in self.seen:
                continue
            self.seen[c] += 1
            self.last[c].append(event.text)
            if len(self.first[c]) < max(FIRST_K):
                self.first[c].append(event.text)
        for (c, k), kept in self.reservoirs.items():
            if c in classes:
                n = self.seen[c]
                if len(kept) < k:
                    kept.append(event.text)
                else:
                    j = self.rngs[(c, k)].randrange(n)
                    if j < k:
                        kept[j] = event.text
        if self.max_tokens:
            tokens = count_tokens(event.text)
            self.tail.append((event.text, tokens))
            self.tail_tokens += tokens
            while self.tail and self.tail_tokens > self.max_tokens:
                self.tail_tokens -= self.tail.popleft()[1]

    def kept(self, member: Member) -> tuple[str, ...]:
        """The texts ``member`` holds now, oldest first."""
        if member.rule == "last":
            held = self.last[member.event_class]
            return tuple(held)[-member.size :] if held else ()
        if member.rule == "first":
            return tuple(self.first[member.event_class][: member.size])
        if member.rule == "reservoir":
            return tuple(self.reservoirs[(member.event_class, member.size)])
        if member.rule == "learned":
            return self.learned[member.size].texts()
        out: list[str] = []
        total = 0
        for text, tokens in reversed(self.tail):
            if total + tokens > member.size:
                break
            out.append(text)
            total += tokens
        return tuple(reversed(out))


class Learned:
    """The highest-scored events seen so far that fit in ``budget`` tokens (ties: the newer
    stays), kept in stream order."""

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self.heap: list[tuple[float, int, str, int]] = []
        self.tokens = 0
        self.seen = 0
        self._texts: tuple[str, ...] | None = ()

    def add(self, text: str, tokens: int, score: float) -> None:
        self.seen += 1
        if tokens > self.budget:
            return
        heapq.heappush(self.heap, (score, self.seen, text, tokens))
        self.tokens += tokens
        while self.tokens > self.budget:
            self.tokens -= heapq.heappop(self.heap)[3]
        self._texts = None

    def texts(self) -> tuple[str, ...]:
        if self._texts is None:
            self._texts = tuple(text for _, _, text, _ in sorted(self.heap, key=lambda k: k[1]))
        return self._texts


class Reader:
    """The scripted reader over kept texts, with each text's claims folded once and each kept
    set's table built once per scenario (members often hold the same texts question after
    question)."""

    def __init__(self, track: Track) -> None:
        self.track = track
        self.fragments: dict[str, Fragment] = {}
        self.tables: dict[tuple[str, ...], Table | None] = {}

    def table(self, texts: tuple[str, ...]) -> Table | None:
        if texts in self.tables:
            return self.tables[texts]
        table: Table | None = Table()
        for text in texts:
            fragment = self.fragments.get(text)
            if fragment is None:
                fragment = self.fragments[text] = Fragment.of(self.track.read_cached(text))
            table.merge(fragment)  # type: ignore[union-attr]
        if not table.rows:  # type: ignore[union-attr]
            table = None  # nothing read: no count of zero, no guess
        self.tables[texts] = table
        return table

    def answer(self, texts: tuple[str, ...], question: Question) -> str:
        table = self.table(texts)
        return ABSTAIN if table is None else evaluate(question.spec, table)


def answers(
    track: Track,
    scenario: Scenario,
    members: Sequence[Member],
    scores: Sequence[float] = (),
) -> Iterator[tuple[GoldQuestion, list[str], list[float]]]:
    """Each question of ``scenario`` (with its gold, for the scorer), every member's answer to
    it, read from what the member kept when it was asked, and the share of the tokens seen so
    far that the member held then. ``scores``: the learned selector's score of each event that
    is not a question, in stream order (0 for all when empty)."""
    keeper = Keeper(members, scenario.seed)
    reader = Reader(track)
    seen = 0
    index = 0
    for event in stream_events(scenario):
        q = event.question
        if q is None:
            keeper.observe(event, scores[index] if scores else 0.0)
            index += 1
            seen += count_tokens(event.text)
            continue
        public = q.public()
        by_texts: dict[tuple[str, ...], tuple[str, float]] = {}  # same texts, same answer
        row, shares = [], []
        for member in members:
            texts = keeper.kept(member)
            hit = by_texts.get(texts)
            if hit is None:
                held = sum(map(count_tokens, texts)) / seen if seen else 0.0
                hit = by_texts[texts] = (reader.answer(texts, public), held)
            row.append(hit[0])
            shares.append(hit[1])
        yield q, row, shares


@dataclass
class Marked:
    """One scenario's questions and every member's verdict on them (plain data: it travels
    from a worker process). Compact, since validate keeps one per scored seed for the union
    bound: a verdict row is one byte per member, and the held shares are kept as each member's
    mean over the questions."""

    templates: list[str] = field(default_factory=list)
    """Each question's template (``cheats.template_key``, coarse; interned)."""
    axes: list[str] = field(default_factory=list)
    correct: list[Sequence[int]] = field(default_factory=list)
    """``correct[i][j]``: member ``j`` answered question ``i`` right (1 or True) or not."""
    held: tuple[float, ...] = ()
    """``held[j]``: member ``j``'s mean, over the questions, of the share of the stream seen so
    far that it held when the question came."""
    auroc: float | None = None
    """How well the learned selector's scores tell evidence events from the rest (None: no
    learned member, or a stream without both)."""

    def share(self, j: int) -> float:
        """Member ``j``'s mean held share over the questions (0.0 without questions)."""
        return self.held[j] if self.held else 0.0


def mark(
    track: Track,
    scenario: Scenario,
    members: Sequence[Member],
    selector: Selector | None = None,
) -> Marked:
    """Every member's answers to ``scenario``'s questions, marked by ``is_correct`` (the learned
    members keeping what ``selector`` scores highest; without one, the newest events)."""
    names: Names = answer_names(scenario)
    out = Marked()
    scores: list[float] = []
    if selector is not None and any(m.rule == "learned" for m in members):
        stream = read_stream(scenario)
        scores = selector.scores(stream)
        out.auroc = auroc(scores, stream.labels)
    shares_by_question: list[list[float]] = []
    for gold, row, shares in answers(track, scenario, members, scores):
        verdicts: dict[str, bool] = {}
        for answer in row:
            if answer not in verdicts:
                verdicts[answer] = is_correct(gold, answer, names)
        out.templates.append(sys.intern(template_key(gold.spec, False)))
        out.axes.append(sys.intern(gold.axis))
        shares_by_question.append(shares)
        out.correct.append(bytes(verdicts[a] for a in row))
    if shares_by_question:
        out.held = tuple(statistics.fmean(column) for column in zip(*shares_by_question))
    return out
