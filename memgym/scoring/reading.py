"""Reading an answer written as a sentence, the same way for every answer type.

Real models answer in sentences: "The trade partner of Kaelford Bay is Quarwold Crossing." The
validators compare a bare answer, so an answer is also read three fairer ways, each of which can
only make a committed, single answer right (never a list of guesses):

- **Restatement** (``readings``): at a copula ("is", "are", "was", "were", "equals", ":", "="),
  when one side only restates the question (its words, plus a few function words), the other
  side is a reading of the answer: "The founding year of Faldmore Stags is 2016" reads "2016".
- **Numbers** (``one_new_number``): numerals that the question itself states ("in 2023") do not
  count, so "The revenue of X in 2023 was 45" holds one number, 45. Two other numbers are still
  wrong.
- **Names** (``states_only``): a name is right when the answer states the gold name and no other
  candidate name of the scenario (its entities and the text values of its facts), names the
  question mentions excepted, and offers no alternative (``offers_nothing_else``): cut at list
  separators (commas, semicolons, slashes, line breaks, "and", "or"), no piece but the gold's
  says a word beyond the question's, ``FILLER`` and ``HEDGES``, and the gold's piece at most
  ``MAX_SAID`` ("Anna works at Solvent Studios"). So a list of candidates, of every value the
  stream states or of names the scenario never uses, is wrong. When the gold itself is in the
  question (a choice between names it lists), this reading is not used: the answer must then
  be the gold alone, or a restatement of it.

Matching is on word sequences of normalised text (``normalize_text``), longest name first, so
"Quarwold" inside "Quarwold Crossing" is not a second name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal

from memgym.caches import on_next_scenario
from memgym.scoring.normalize import clean_unicode, normalize_text, numbers
from memgym.types import GoldQuestion, Scenario

_WORD = re.compile(r"\w+")
_COPULA = re.compile(r"\b(?:is|are|was|were|equals)\b|[:=]", re.IGNORECASE)
FILLER = frozenset(
    ("the", "a", "an", "of", "for", "in", "on", "at", "to", "by", "as", "its", "it", "their")
    + ("this", "that", "these", "those", "s", "so", "far", "then", "therefore", "thus", "here")
    + ("now", "currently", "current", "today", "answer", "value", "final", "my", "our", "based")
    + ("records", "record", "according", "memory", "notes", "note")
)
"""Words a restatement may add to the question's own."""
HEDGES = frozenset(
    ("i", "we", "me", "us", "he", "she", "they", "him", "her", "his", "them", "you", "is", "are")
    + ("was", "were", "be", "been", "would", "will", "should", "must", "believe", "think")
    + ("guess", "recall", "remember", "know", "sure", "likely", "probably", "with")
    + ("from", "into", "since", "via", "says", "said", "stated", "told", "has", "have", "had")
    + ("mentioned", "given", "conversation", "chat", "context", "history", "document", "page")
    + ("earlier", "previously", "latest", "last", "update", "updated", "after", "any", "changes")
)
"""Words a sentence naming the gold may add besides ``FILLER`` (pronouns, auxiliaries, hedges,
prepositions, where it was read): none of them is a second answer."""
MAX_SAID = 1
"""Other words the piece of an answer that names the gold may say: its verb ("works at", "flies
to"); a run of guesses with no separator between them says more."""
_ALTERNATIVE = re.compile(r"[,;/|\n]|\b(?:and|or)\b")
"""Where an answer lists alternatives (in its casefolded text)."""
_GOLD_MARK = "\x00"

Words = tuple[str, ...]


def words(text: str) -> Words:
    """The word sequence matching compares: normalised, punctuation dropped."""
    return tuple(_WORD.findall(normalize_text(text)))


class Names:
    """Candidate names as word sequences, for ``mentions``; read from a scenario's facts on first
    use (most answers never need them)."""

    def __init__(self, texts: Iterable[str] = (), scenario: Scenario | None = None) -> None:
        self._texts, self._scenario = texts, scenario
        self._names: frozenset[Words] | None = None
        self._longest = 0

    @property
    def names(self) -> frozenset[Words]:
        if self._names is None:
            texts = set(self._texts)
            for fact in self._scenario.facts if self._scenario is not None else ():
                texts.add(fact.entity)
                if isinstance(fact.value, str):
                    texts.add(fact.value)
            self._names = frozenset(w for t in texts if (w := words(t)))
            self._longest = max((len(w) for w in self._names), default=0)
        return self._names

    @property
    def longest(self) -> int:
        return len(max(self.names, key=len, default=())) if self._names is None else self._longest


_NAMES: dict[str, Names] = {}
_NAMES_KEPT = 64
on_next_scenario(_NAMES.clear)


def answer_names(scenario: Scenario) -> Names:
    """The candidate names of ``scenario``: its entities and the text values of its facts (one
    ``Names`` per scenario hash, so every policy run on a scenario reads them at most once)."""
    key = scenario.hash
    names = _NAMES.get(key)
    if names is None:
        if len(_NAMES) >= _NAMES_KEPT:
            _NAMES.clear()
        names = _NAMES[key] = Names(scenario=scenario)
    return names


def mentions(text: Words, names: Names, extra: Iterable[Words] = ()) -> set[Words]:
    """The names (of ``names`` and ``extra``) that ``text`` states, longest match first, left to
    right, each match's words used once."""
    pool = set(names.names) | set(extra)
    longest = max([names.longest, *(len(w) for w in extra)], default=0)
    found: set[Words] = set()
    i = 0
    while i < len(text):
        for n in range(min(longest, len(text) - i), 0, -1):
            if text[i : i + n] in pool:
                found.add(text[i : i + n])
                i += n
                break
        else:
            i += 1
    return found


def restates(part: str, question: GoldQuestion) -> bool:
    """Whether ``part`` only restates the question: its words are the question's or filler."""
    asked = set(words(question.text))
    return all(w in asked or w in FILLER for w in words(part))


def readings(question: GoldQuestion, text: str) -> list[str]:
    """The other sides of every copula whose one side restates the question, in order."""
    found = []
    for m in _COPULA.finditer(text):
        head, tail = text[: m.start()].strip(), text[m.end() :].strip()
        if tail and restates(head, question):
            found.append(tail)
        if head and restates(tail, question):
            found.append(head)
    return found


def one_new_number(question: GoldQuestion, text: str) -> Decimal | None:
    """The one numeral of ``text`` that the question does not state itself, or None (no such
    numeral, or several)."""
    stated = set(numbers(question.text))
    new = [n for n in numbers(text) if n not in stated]
    return new[0] if len(new) == 1 else None


def offers_nothing_else(question: GoldQuestion, text: str, gold: Words) -> bool:
    """Whether ``text``, which names ``gold``, offers no alternative: cut at list separators
    (each occurrence of ``gold`` kept whole), the pieces without it say nothing beyond the
    question's words, ``FILLER`` and ``HEDGES``, and the pieces with it ``MAX_SAID`` words at
    most."""
    known = set(words(question.text)) | FILLER | HEDGES
    gold_words = r"\W+".join(map(re.escape, gold))
    folded = clean_unicode(text).casefold()  # line breaks kept: they separate a list too
    marked = re.sub(rf"(?<!\w){gold_words}(?!\w)", _GOLD_MARK, folded)
    said = 0
    for piece in _ALTERNATIVE.split(marked):
        new = sum(w not in known for w in words(piece))
        if _GOLD_MARK not in piece and new:
            return False
        said += new
    return said <= MAX_SAID


def states_only(question: GoldQuestion, text: str, gold: str, names: Names) -> bool:
    """Whether ``text`` states ``gold`` and no other candidate name, save those the question
    mentions, and offers no alternative (``offers_nothing_else``); False when the question
    mentions ``gold`` itself (a choice it offers)."""
    target = words(gold)
    if not target:
        return False
    asked = words(question.text)
    if target in mentions(asked, names, [target]):
        return False
    found = mentions(words(text), names, [target])
    if target not in found or found - {target} - mentions(asked, names):
        return False
    return offers_nothing_else(question, text, target)
