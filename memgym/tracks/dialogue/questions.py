"""The questions of a dialogue: which flight to book, and what the customer told the agent.

A draft holds the spec (``memgym.query``), the text, and the facts that prove the answer; the
gold answer itself is computed later by ``memgym.query.evaluate`` over the world's facts. A
profile question is dropped when a memoryless guess would hit it: the customer's value equals
the attribute's typical value in the stream (what the ``stats`` memory shows a guesser) or the
prior's guess, a count equals the guesser's expected count, or the question's spec evaluated
over a table holding only the typical values gives the gold answer. It is also dropped when a
memory of the values stated without whose they are would hit it (``blind_answers``: the first,
last, second-last or commonest value of the asked attribute, about anyone).
"""

from __future__ import annotations

import math
import random as _random
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from statistics import median
from typing import Any

from memgym.claims import Claim, format_number, parse_number
from memgym.query import Table, evaluate
from memgym.scoring.normalize import normalize_text
from memgym.tracks.base import Prior
from memgym.tracks.dialogue.catalogue import Catalogue
from memgym.tracks.dialogue.phrases import LABELS
from memgym.tracks.dialogue.world import ASKABLE, COMPANION_ASKABLE, FactRec, World
from memgym.types import AnswerType, QuestionKind

INT_ATTRIBUTES = frozenset({"max_price_usd"})
QUESTION_GAP = 4
"""Pages (turns that are not chatter, the flight searches included) before the profile questions
whose facts no profile question may rest on alone, so no reader of the last few turns can
answer it."""
MAINTENANCE = frozenset({"post_correction", "previous_value"})
"""The question kinds about changes (the maintenance axis)."""
TYPICAL = "*"
"""The placeholder entity a ``stats`` memory files typical values under."""


@dataclass(slots=True)
class Draft:
    """A question before it is placed: kind, text, spec, answer type and evidence facts."""

    kind: QuestionKind
    text: str
    spec: dict[str, Any]
    answer_type: AnswerType
    evidence: list[FactRec]
    guess_hits: bool = False


def select_question(world: World, catalogue: Catalogue) -> Draft:
    """Which flight of ``catalogue`` meets every rule of its leg under the current profile."""
    user = world.user
    text = (
        f"Which flight in catalogue {catalogue.tag} should be booked for {user}'s "
        f"{catalogue.leg.name} trip, meeting all of {user}'s current requirements? "
        "Answer with the flight code."
    )
    spec = {
        "op": "select",
        "entity": user,
        "where": [["catalogue", "==", catalogue.tag]],
        "match": [list(rule) for rule in catalogue.leg.rules],
    }
    wanted = {rule[2] for rule in catalogue.leg.rules}
    evidence = [world.current(a) for a in world.profile if a in wanted]
    evidence += [f for item in catalogue.items for f in item.facts]
    return Draft("selection", text, spec, "text", evidence)


def typical_values(claims: list[Claim]) -> dict[str, str]:
    """attribute -> median (numbers) or most common value, over every claim of the stream."""
    values: dict[str, list[str]] = {}
    for claim in claims:
        values.setdefault(claim.attribute, []).append(claim.value)
    out = {}
    for attribute, texts in values.items():
        numbers: list[float] = []
        for text in texts:  # stops at the first text that is not a number
            number = parse_number(text)
            if number is None:
                out[attribute] = Counter(texts).most_common(1)[0][0]
                break
            numbers.append(number)
        else:
            mid = median(numbers)
            integral = all("." not in t for t in texts)
            out[attribute] = format_number(round(mid) if integral else mid)
    return out


def plain_normalized(text: str) -> str:
    """``normalize_text(text)``; for an ASCII text with a letter or digit at both ends and no
    leading "the" (every value the world draws), its lower-case words joined by single spaces,
    which is what ``normalize_text`` makes of it (NFKC and casefolding change no ASCII letter,
    nothing is stripped at the edges), 5-10x cheaper than a miss of its memo."""
    if text.isascii() and text[:1].isalnum() and text[-1:].isalnum() and text[:3].lower() != "the":
        return " ".join(text.lower().split())
    return normalize_text(text)


def blind_key(attribute: str, text: str) -> str:
    """``text`` as the scorer compares it: an exact number for a number attribute, else the
    normalised text."""
    if attribute in INT_ATTRIBUTES:
        number = parse_number(text)
        if number is not None:
            return format_number(number)
    return plain_normalized(text)


def _modes(values: list[str]) -> set[str]:
    """The commonest of ``values``, ties broken both ways (first seen, last seen)."""
    counts = Counter(values)
    top = max(counts.values())
    tied = [v for v in counts if counts[v] == top]  # in first-seen order
    return {tied[0], tied[-1]}


def blind_answers(claims: list[Claim]) -> dict[str, set[str]]:
    """attribute -> what a memory of values without whose they are answers at the end of
    ``claims``: the first, last and second-last value stated and the commonest (ties broken
    either way), each compared as ``blind_key``. The profile questions all come after every
    statement, so this is what such a memory answers at each of them."""
    texts: dict[str, list[str]] = {}
    for claim in claims:
        texts.setdefault(claim.attribute, []).append(claim.value)
    out = {}
    for attribute, said in texts.items():
        if attribute in INT_ATTRIBUTES:
            seen = [blind_key(attribute, text) for text in said]
        else:  # blind_key of a text attribute
            seen = list(map(plain_normalized, said))
        out[attribute] = {seen[0], *seen[-2:]} | _modes(seen)
    return out


def prior_guesses(prior: Prior | None) -> set[str]:
    """What a prior-only guesser answers for an attribute with ``prior``."""
    if prior is None:
        return {"0"}
    if prior.choices:
        return {prior.choices[0]}
    return {format_number(round((prior.low + prior.high) / 2))}


def expected_count(entities: int, where: list[list[Any]], priors: Mapping[str, Prior]) -> int:
    """The count a prior-only guesser answers for ``where`` in a world of ``entities``."""
    n = float(entities)
    for attribute, op, _ in where:
        prior = priors.get(attribute)
        n *= 1 / len(prior.choices) if prior and prior.choices and op == "==" else 0.5
    return max(0, math.floor(n + 0.5))


def profile_questions(
    rng: _random.Random,
    world: World,
    count: int,
    typical: Mapping[str, str],
    priors: Mapping[str, Prior],
    entities: int,
    recent: set[int] = frozenset(),  # type: ignore[assignment]
    blind: Mapping[str, set[str]] | None = None,
    bounded: Callable[[dict[str, Any], str], bool] | None = None,
    pages: Mapping[int, int] | None = None,
    one_page: Callable[[dict[str, Any], str], bool] | None = None,
) -> list[Draft]:
    """Up to ``count`` profile questions no memoryless guess answers, kinds mixed (the first
    previous-value and post-correction questions about two changes where two are fair); none whose
    evidence lies wholly in ``recent`` (ids of the facts the last pages or the stream's first
    ``max_write_tokens`` tokens state), none whose answer an entity-blind memory gives
    (``blind``: attribute -> ``blind_answers``) and none a bounded memory answers (``bounded``:
    spec, gold -> whether one of a fixed number of events does, ``memgym.tracks.bounded``).
    With ``pages`` (id of a fact -> the page stating it), no two questions but counts rest on a
    common page (``_apart``). With ``one_page`` (spec, gold -> whether one event of the stream
    alone gives it), no maintenance question one event answers: each needs two pages."""
    user = world.user
    pool: list[tuple[Draft, str]] = []
    for attribute in ASKABLE:
        label = LABELS[attribute]
        current = world.current(attribute)
        kind: QuestionKind = "retrieval"
        text = f"What is {user}'s {label}?"
        if world.change_of(attribute) is not None:
            kind, text = "post_correction", f"What is {user}'s {label} now, after any changes?"
        answer_type: AnswerType = "int" if attribute in INT_ATTRIBUTES else "text"
        spec: dict[str, Any] = {"op": "value", "entity": user, "attribute": attribute}
        pool.append((Draft(kind, text, spec, answer_type, [current]), current.text))
    for change in {c.attribute: c for c in world.changes}.values():  # each one's last change
        if change.attribute not in ASKABLE:
            continue
        label = LABELS[change.attribute]
        text = f"What was {user}'s {label} before it was last changed?"
        spec = {"op": "previous", "entity": user, "attribute": change.attribute}
        answer_type = "int" if change.attribute in INT_ATTRIBUTES else "text"
        evidence = [change.old, change.new]
        pool.append((Draft("previous_value", text, spec, answer_type, evidence), change.old.text))
    for person in world.companions:
        for fact in person.facts:
            if fact.attribute in COMPANION_ASKABLE:
                text = f"What is {person.name}'s {LABELS[fact.attribute]}?"
                spec = {"op": "value", "entity": person.name, "attribute": fact.attribute}
                pool.append((Draft("retrieval", text, spec, "text", [fact]), fact.text))
    meal = world.counted_meal
    n = sum(p.meal == meal for p in world.companions)
    party = [
        f for p in world.companions for f in p.facts if f.attribute in ("travels_with", "meal")
    ]
    where: list[list[Any]] = [["travels_with", "==", user], ["meal", "==", meal]]
    text = f"How many people in {user}'s travel party asked for a {meal} meal?"
    count_draft = Draft("filter_count", text, {"op": "count", "where": where}, "int", list(party))
    stats = Table.from_claims(Claim(TYPICAL, a, v) for a, v in typical.items())
    for draft, gold in pool:
        asked = draft.spec.get("attribute")
        guesses = {evaluate(draft.spec, stats)}
        if asked is not None:
            guesses |= prior_guesses(priors.get(asked)) | {typical.get(asked, "")}
        draft.guess_hits = draft.guess_hits or gold in guesses
        if asked is not None and blind is not None:
            draft.guess_hits = draft.guess_hits or blind_key(asked, gold) in blind.get(asked, ())
    pool.append((count_draft, str(n)))  # its gold is spread evenly by the world: no guess check
    if bounded is not None:
        for draft, gold in pool:
            draft.guess_hits = draft.guess_hits or bounded(draft.spec, gold)
    if one_page is not None:
        for draft, gold in pool:
            if draft.kind in MAINTENANCE and not draft.guess_hits:
                draft.guess_hits = one_page(draft.spec, gold)
    rng.shuffle(pool)
    fair = [d for d, _ in pool if not d.guess_hits and not {id(f) for f in d.evidence} <= recent]
    apart = _Apart(pages)
    first: list[Draft] = []
    for kind in ("previous_value", "post_correction", "filter_count"):
        drafts = [d for d in fair if d.kind == kind and d not in first and apart.free(d)]
        asked = {d.spec.get("attribute") for d in first}  # another change where there is one
        pick = next((d for d in drafts if d.spec.get("attribute") not in asked), None)
        pick = pick or next(iter(drafts), None)
        if pick is not None:
            first.append(pick)
            apart.take(pick)
    counts = max(1, count // 4)
    rest: list[Draft] = []
    for draft in fair:
        if draft in first or not apart.free(draft):
            continue
        counted = sum(d.kind == "filter_count" for d in first + rest)
        if draft.kind == "filter_count" and counted >= counts:
            continue
        rest.append(draft)
        apart.take(draft)
    return (first + rest)[:count]


class _Apart:
    """The pages the questions taken so far rest on: a question may rest on none of them, so a
    memory holding one page (a random sample of pages holds each alike) answers at most one
    question, not the two or three a party turn or a correction would (a companion's facts, a
    change's value before and after). Counts rest on every party page and are left out."""

    def __init__(self, pages: Mapping[int, int] | None) -> None:
        self.pages = pages
        self.used: set[int] = set()

    def _of(self, draft: Draft) -> set[int]:
        if self.pages is None or draft.kind == "filter_count":
            return set()
        return {self.pages[id(f)] for f in draft.evidence if id(f) in self.pages}

    def free(self, draft: Draft) -> bool:
        return not self._of(draft) & self.used

    def take(self, draft: Draft) -> None:
        self.used |= self._of(draft)
