"""Recognising abstentions, and telling a clean abstention from a hedge.

The rule, on the normalised answer (see ``memgym.scoring.normalize``):

- An answer **says unknown** when it contains one of the recognised phrases: "I don't know",
  "not known / mentioned / stated / specified / given / provided / available / recorded / sure",
  "cannot be determined", "can't tell", "unable to answer", "no information / data / idea /
  record", "not enough information", "insufficient information", "the notes don't mention",
  "I don't have that information", "not in my notes", "unanswerable"; or when its first clause
  is just "unknown", "unclear", "N/A" or "not applicable", or it says something "is unknown" /
  "remains unclear".
- It **commits** when it also offers something: any digit, a hedge word ("probably", "likely",
  "maybe", "perhaps", "possibly", "guess", "estimate", "approximately", "roughly", "I think",
  "I believe", "I'd say") or a contrastive turn ("but", "however", "though", "although").
- A **clean abstention** says unknown and commits to nothing. An answer that says unknown and
  commits ("unknown, probably 42") is a hedge: the validators score it wrong for every question
  type, abstention questions included, so hedging is never rewarded either way.
"""

from __future__ import annotations

import re

from memgym.scoring.normalize import normalize_text, unwrap

_NEG = r"(?:do not|don't|dont|does not|doesn't|did not|didn't)"
_CANNOT = r"(?:cannot|can't|cant|can not|could not|couldn't|unable to|impossible to)"
_PHRASES = re.compile(
    r"\b(?:"
    rf"{_NEG} know"
    r"|not (?:known|mentioned|stated|specified|given|provided|available|recorded|reported"
    r"|found|sure|certain|determinable)"
    rf"|{_CANNOT} (?:be )?(?:determined?|tell|say|answer|know|be known|find|infer)"
    r"|no (?:information|info|data|records?|idea|mention|way to (?:know|tell))"
    r"|(?:not enough|insufficient) (?:information|info|data|context|evidence)"
    rf"|{_NEG} (?:say|mention|state|specify|include|contain|record|recall|remember)"
    rf"|{_NEG} have (?:\w+ )?(?:information|info|data|records?)"
    r"|not (?:in|part of) (?:my|the) (?:notes|memory|context|records?)"
    r"|unanswerable"
    r")\b"
)
_BARE = r"(?:unknown|unclear|n/a|na|not applicable)"
_BARE_CLAUSE = re.compile(rf"^{_BARE}(?:$|\s*[,;:!?(\-\u2013\u2014])")
_IS_BARE = re.compile(rf"\b(?:is|are|was|were|remains?|stays?)\s+(?:still\s+)?{_BARE}\b")
_COMMITS = re.compile(
    r"\d|\b(?:probably|likely|maybe|perhaps|possibly|guess(?:ing)?|estimated?|approximately"
    r"|roughly|i think|i believe|i'd say|but|however|though|although)\b"
)


def says_unknown(text: str) -> bool:
    """Whether normalised ``text`` states that the answer is unknown (hedged or not)."""
    return bool(_PHRASES.search(text) or _BARE_CLAUSE.match(text) or _IS_BARE.search(text))


def commits(text: str) -> bool:
    """Whether normalised ``text`` offers a value or a guess."""
    return _COMMITS.search(text) is not None


def is_abstention(answer: object) -> bool:
    """Whether ``answer`` is a clean abstention: it says unknown and commits to nothing.

    Anything that is not a string is not an abstention.
    """
    if not isinstance(answer, str):
        return False
    text = normalize_text(unwrap(answer))
    return says_unknown(text) and not commits(text)
