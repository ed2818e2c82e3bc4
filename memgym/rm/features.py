"""What the ``lite`` model sees of a compaction: the brief, the dropped text and the kept view.

Nothing else: no question, no future event, no strategy or track name (a test checks that the
features do not move when those change). Two parts:
- hand features: sizes; how many numbers, capitalised names and words the dropped text states,
  and how many of them the kept view does not restate (novel); overlap with the brief; whether a
  span's body restates the names of its heading (a result about what was asked for, not a
  look-alike about a similarly named entity);
- hashed tokens: the dropped text's tokens (numbers as ``#``) and its novel tokens (marked
  ``n_``), as binary features at stable crc32 buckets.
What is read of a text is cached per text: consecutive compactions keep almost the same
messages, so scoring a stream of them costs little more than reading what changed.
"""

from __future__ import annotations

import math
import re
import zlib
from collections.abc import Sequence
from functools import lru_cache
from typing import NamedTuple

_TOKEN = re.compile(r"[A-Za-z][A-Za-z0-9_]*|\d+(?:[.,:]\d+)*")
_NUMBER = re.compile(r"\d+(?:[.,:]\d+)*")
_NAME = re.compile(r"\b[A-Z][a-z0-9]+(?:[ -][A-Z][a-z0-9]+)*\b")
_DIGIT = re.compile(r"\d")
_HEADING = re.compile(r"\n|(?<=[.:])\s")
"""Where a text's heading ends: its first line break, or the first space after a '.' or ':'."""

BUCKETS = 1 << 18
"""Hashed token buckets."""

HAND_FEATURES = (
    "dropped_tokens",
    "kept_tokens",
    "dropped_spans",
    "numbers",
    "novel_numbers",
    "novel_number_share",
    "names",
    "novel_names",
    "novel_name_share",
    "novel_word_share",
    "novel_words",
    "brief_overlap_share",
    "brief_overlap",
    "digit_density",
    "novel_number_lines",
    "kept_is_empty",
    "heading_restated",
)


class TextInfo(NamedTuple):
    """What the features read of one text."""

    words: frozenset[str]
    numbers: frozenset[str]
    names: frozenset[str]
    buckets: frozenset[int]
    digits: int
    line_numbers: tuple[frozenset[str], ...]
    items: frozenset[str]
    """words, numbers (prefixed NUL) and names (prefixed SOH) in one set: one pass finds all
    three kinds of novelty."""
    chars: int
    heading_restated: float
    """Share of the heading's names the rest of the text names again (0 without a heading)."""


@lru_cache(maxsize=1 << 20)
def bucket(token: str) -> int:
    """The stable hash bucket of a feature token."""
    return zlib.crc32(token.encode()) % BUCKETS


def _shape(token: str) -> str:
    """Numbers become ``#`` (their value says nothing general); words stay."""
    return "#" if token[0].isdigit() else token


@lru_cache(maxsize=1 << 15)
def text_info(text: str) -> TextInfo:
    """Words (lower case), numbers, names, token buckets, digit count and numbers per line."""
    tokens = [t.lower() for t in _TOKEN.findall(text)]
    lines = tuple(
        frozenset(_NUMBER.findall(line)) for line in text.splitlines() if line.strip()
    )
    words = frozenset(tokens)
    numbers = frozenset(_NUMBER.findall(text))
    names = frozenset(_NAME.findall(text))
    return TextInfo(
        words,
        numbers,
        names,
        frozenset(bucket(_shape(t)) for t in words),
        len(_DIGIT.findall(text)),
        lines,
        words | {"\x00" + n for n in numbers} | {"\x01" + c for c in names},
        len(text),
        _heading_restated(text),
    )


def _heading_restated(text: str) -> float:
    """Share of the names in ``text``'s heading that its body names again."""
    parts = _HEADING.split(text, maxsplit=1)
    if len(parts) < 2:
        return 0.0
    heading = set(_NAME.findall(parts[0]))
    if not heading:
        return 0.0
    return len(heading & set(_NAME.findall(parts[1]))) / (len(heading) + 1)


@lru_cache(maxsize=1 << 20)
def novel_bucket(word: str) -> int:
    """The bucket of ``word`` as a novel token (absent from the kept view)."""
    return bucket("n_" + _shape(word))


def _novel(mine: frozenset[str], others: Sequence[frozenset[str]]) -> frozenset[str]:
    """``mine`` less every set of ``others`` (cheap: ``mine`` is small, ``others`` many)."""
    for other in others:
        if not mine:
            break
        mine = mine - other
    return mine


def features(
    brief: str, dropped: Sequence[str], kept: Sequence[str]
) -> tuple[list[float], list[int]]:
    """The ``HAND_FEATURES`` of one compaction, in that order, and its sorted token buckets."""
    d_infos = [text_info(t) for t in dropped]
    k_infos = [text_info(t) for t in kept]
    d_words = frozenset().union(*(i.words for i in d_infos))
    d_numbers = frozenset().union(*(i.numbers for i in d_infos))
    d_names = frozenset().union(*(i.names for i in d_infos))
    b_words = text_info(brief).words
    novel = _novel(frozenset().union(*(i.items for i in d_infos)), [i.items for i in k_infos])
    novel_numbers = {x[1:] for x in novel if x[0] == "\x00"}
    novel_names = {x[1:] for x in novel if x[0] == "\x01"}
    novel_words = [x for x in novel if x[0] not in "\x00\x01"]
    brief_overlap = d_words & b_words
    novel_lines = (
        sum(1 for i in d_infos for ln in i.line_numbers if not ln.isdisjoint(novel_numbers))
        if novel_numbers
        else 0
    )
    chars = sum(i.chars for i in d_infos) + max(0, len(dropped) - 1)
    kept_chars = sum(i.chars for i in k_infos)
    hand = [
        math.log1p(chars / 4),
        math.log1p(kept_chars / 4),
        float(len(dropped)),
        math.log1p(len(d_numbers)),
        math.log1p(len(novel_numbers)),
        len(novel_numbers) / (len(d_numbers) + 1),
        math.log1p(len(d_names)),
        math.log1p(len(novel_names)),
        len(novel_names) / (len(d_names) + 1),
        len(novel_words) / (len(d_words) + 1),
        math.log1p(len(novel_words)),
        len(brief_overlap) / (len(d_words) + 1),
        math.log1p(len(brief_overlap)),
        sum(i.digits for i in d_infos) / (chars + 1),
        math.log1p(novel_lines),
        float(kept_chars == 0),
        max((i.heading_restated for i in d_infos), default=0.0),
    ]
    buckets = frozenset().union(*(i.buckets for i in d_infos))
    buckets |= {novel_bucket(w) for w in novel_words}
    return hand, sorted(buckets)


def hand_features(brief: str, dropped: Sequence[str], kept: Sequence[str]) -> list[float]:
    """The ``HAND_FEATURES`` alone."""
    return features(brief, dropped, kept)[0]


def clear_caches() -> None:
    """Forget every cached text (benchmarks start cold)."""
    text_info.cache_clear()
    bucket.cache_clear()
    novel_bucket.cache_clear()
