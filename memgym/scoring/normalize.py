"""Answer text made comparable: unwrap LLM phrasing, normalise words, find the numbers.

``unwrap`` removes what an LLM wraps around an answer ("The answer is 42.", "Final answer: 42",
markdown emphasis). ``normalize_text`` is the form text answers are compared in. ``number_spans``
finds every numeral: an optional sign, digits with optional thousands separators
(``1,234``), an optional decimal part and exponent. Digits glued to a preceding letter or dot
(``Q3``, ``v2``) are part of a word, not a number; words for numbers ("forty-two") are not numbers.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from memgym.caches import per_scenario

# Characters NFKC leaves alone that mean the same as their ASCII twins in an answer.
_ASCII = str.maketrans({"\u2212": "-", "\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})
_FINAL = re.compile(r"\bfinal\s+answer\s*(?:is\b)?\s*[:=\-\u2013\u2014]?", re.IGNORECASE)
_PREFIX = re.compile(r"^(?:the\s+)?answer\s*(?:is\b\s*[:=]?|[:=\-\u2013\u2014])\s*", re.IGNORECASE)
_NUMBER = re.compile(
    r"(?<![\w.])[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[eE][-+]?\d+)?(?!\d)"
    r"|(?<![\w.])[-+]?\.\d+(?:[eE][-+]?\d+)?(?!\d)"
)
_LEADING_THE = re.compile(r"^the\s+")


def clean_unicode(text: str) -> str:
    """NFKC form with typographic minus signs and quotes made ASCII."""
    return unicodedata.normalize("NFKC", text).translate(_ASCII)


def unwrap(answer: str) -> str:
    """The answer without its wrapping: text after a last "final answer:", no leading
    "answer:" / "the answer is", no markdown ``*`` or backticks, no trailing period."""
    text = clean_unicode(answer).replace("*", "").replace("`", "")
    finals = list(_FINAL.finditer(text))
    if finals:
        text = text[finals[-1].end() :]
    text = text.strip()
    while (m := _PREFIX.match(text)) is not None:
        text = text[m.end() :].strip()
    return text.rstrip(".").strip()


def _is_edge_noise(text: str, i: int) -> bool:
    """Whether ``text[i]`` is punctuation or space to strip from an edge (a sign before a
    digit is kept: "-3.5" stays negative)."""
    ch = text[i]
    if ch.isspace():
        return True
    if not unicodedata.category(ch).startswith("P"):
        return False
    return not (ch in "-+." and i + 1 < len(text) and text[i + 1].isdigit())


def strip_edges(text: str) -> str:
    """``text`` without surrounding punctuation and whitespace."""
    start, end = 0, len(text)
    while start < end and _is_edge_noise(text, start):
        start += 1
    while end > start and _is_edge_noise(text, end - 1):
        end -= 1
    return text[start:end]


@per_scenario
@lru_cache(maxsize=8192)
def normalize_text(text: str) -> str:
    """Casefolded NFKC text, whitespace collapsed, no surrounding punctuation, no leading
    "the". Memoised: every policy's answers are scored against the same questions and golds."""
    text = " ".join(clean_unicode(text).casefold().split())
    return strip_edges(_LEADING_THE.sub("", strip_edges(text)))


def number_spans(text: str) -> list[tuple[int, int, Decimal]]:
    """Every numeral in ``text`` as (start, end, value), in order."""
    return list(_number_spans(text))


@per_scenario
@lru_cache(maxsize=8192)
def _number_spans(text: str) -> tuple[tuple[int, int, Decimal], ...]:
    """``number_spans``, memoised (every policy's answers are read against the same golds)."""
    spans = []
    for m in _NUMBER.finditer(text):
        try:
            spans.append((m.start(), m.end(), Decimal(m.group().replace(",", ""))))
        except InvalidOperation:  # pragma: no cover - the pattern only matches numerals
            continue
    return tuple(spans)


def numbers(text: str) -> list[Decimal]:
    """The values of every numeral in ``text``, in order."""
    return [value for _, _, value in number_spans(text)]
