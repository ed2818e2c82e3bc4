"""What the ``lite`` model sees of a compaction: the brief, the dropped spans, the kept view and
the questions asked so far.

Nothing else: no later question, no future event, no strategy or track name (a test checks that
the features do not move when those change). Four parts:
- hand features of the dropped text: sizes; how many numbers, capitalised names and words it
  states, and how many of them the kept view does not restate (novel); overlap with the brief;
  whether a span's body restates the names of its heading (a result about what was asked for,
  not a look-alike about a similarly named entity);
- hand features of the dialogue and the links: how many questions were asked, whether they
  named what is dropped, whether a dropped span came after the last question (nothing has been
  asked since: what it holds may still be waited for), and whether the kept view goes on from a
  dropped span (a kept heading names what the span states) or refers back to it (a kept body
  names the span's heading);
- what is uniquely lost (``LOST_FEATURES``): the numbers and names no kept text restates, and
  the brief's and the questions' content words and the brief's value lines that leave with them;
- hashed tokens: the dropped text's tokens (numbers as ``#``), its novel tokens (``n_``), its
  tokens an asked question also used (``a_``) and the tokens of spans no question followed yet
  (``z_``), as binary features at stable crc32 buckets.
What is read of a text is cached per text: consecutive compactions keep almost the same
messages, so scoring a stream of them costs little more than reading what changed.
"""

from __future__ import annotations

import math
import re
import zlib
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from functools import lru_cache
from itertools import chain
from operator import attrgetter, itemgetter
from typing import NamedTuple
from zlib import crc32

_TOKEN = re.compile(r"[A-Za-z][A-Za-z0-9_]*|\d+(?:[.,:]\d+)*")
_NUMBER = re.compile(r"\d+(?:[.,:]\d+)*")
_NAME = re.compile(r"[A-Z](?<!\w[A-Z])[a-z0-9]+(?:[ -][A-Z][a-z0-9]+)*\b")
"""Capitalised names: ``\\b[A-Z][a-z0-9]+(?:[ -][A-Z][a-z0-9]+)*\\b`` with its leading ``\\b``
read after the capital (no word character before it), so the pattern starts with a character
class and the regex engine skips to the capitals (the same matches; half the time)."""
_DIGIT = re.compile(r"\d")
_HEADING = re.compile(r"\n|(?<=[.:])\s")
"""Where a text's heading ends: its first line break, or the first space after a '.' or ':'."""

BUCKETS = 1 << 18
"""Hashed token buckets."""

LOST_FEATURES = (
    "lost_items",
    "lost_item_share",
    "nothing_lost",
    "lost_brief_words",
    "lost_brief_share",
    "lost_asked_words",
    "lost_brief_lines",
    "lost_brief_line_share",
)
"""What is *uniquely* lost (``lost_features``): the numbers and names no kept text restates, how
much of the dropped text that bears on the brief or the questions the kept view no longer says,
and the value lines lost whose subject or kind the brief names. A compaction that moves its
values into a kept text (a summary that restates them) loses nothing here however much it
drops."""

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
    "kept_spans",
    "asked",
    "asked_names",
    "asked_name_share",
    "asked_word_share",
    "asked_since_min",
    "asked_since_max",
    "unasked",
    "unasked_heading_restated",
    "unasked_novel_numbers",
    "continued",
    "continued_unasked",
    "continued_heading_restated",
    "referenced",
    "referenced_unasked",
    "title_continued",
    "title_continued_unasked",
    "title_continued_heading_restated",
    "losing_spans",
    "losing_unasked_spans",
    "orphan_value_lines",
    "superseded_value_lines",
    "orphan_value_share",
    "asked_novel_names",
    "unasked_orphan_lines",
    "asked_kind_lines",
    "asked_kind_share",
    "unasked_kind_lines",
    "novel_name_lines",
    "novel_value_lines",
    *LOST_FEATURES,
)


class Compaction(NamedTuple):
    """All a MemRM may read of one compaction."""

    brief: str
    dropped: Sequence[tuple[int, str]]
    """(step, text) of each dropped span."""
    kept: Sequence[str]
    """The texts of the kept view, in order."""
    asked: Sequence[tuple[int, str]] = ()
    """(step, text) of each question asked before the compaction, in order."""


LineInfo = tuple[frozenset[str], frozenset[str], frozenset[str]]
"""A line's numbers (tagged), names (tagged) and kinds, as in ``DroppedInfo.lines``."""


class TextInfo(NamedTuple):
    """What the features read of any text (kept or dropped)."""

    words: frozenset[str]
    names: frozenset[str]
    items: dict[str, None]
    """What a kept text offers the one pass that finds what a dropped text has that the kept view
    lacks: its words, numbers (tagged NUL), names (SOH), heading names (STX), body names (ETX)
    and, for a titled text, title names (EOT)."""
    chars: int
    titled: bool
    """Whether the text has several lines (its heading is then its first line, a title)."""
    heading_names: frozenset[str]
    """Names in the heading (empty for a text without one)."""
    body_names: frozenset[str]
    """Names in the rest of the text (the whole text's without a heading)."""
    heading_restated: float
    """Share of the heading's names the rest of the text names again (0 without a heading)."""
    tagged_numbers: frozenset[str]
    """Its numbers tagged as in ``items``."""
    tagged_names: frozenset[str]
    """Its names tagged as in ``items``."""
    lines: tuple[LineInfo, ...] | None
    """``DroppedInfo.lines``, when its lines were read one by one (a plain text: ``_plain``);
    None otherwise."""


class DroppedInfo(NamedTuple):
    """What the features read only of a dropped text; sets of tagged items as in
    ``TextInfo.items``, so the one novelty pass answers every question asked of the kept view."""

    buckets: frozenset[int]
    digits: int
    numbers: frozenset[str]
    """Its numbers (tagged)."""
    names: frozenset[str]
    """Its names (tagged)."""
    lines: tuple[tuple[frozenset[str], frozenset[str], frozenset[str]], ...]
    """Of each line that has numbers or names: its numbers (tagged), its names (tagged) and, for a
    line with numbers, its kinds (``_kinds``: content words, not its names'), in order."""
    goes_on: frozenset[str]
    """Its body names less its heading's, tagged as heading names: a kept text whose heading
    names one goes on from it."""
    goes_on_title: frozenset[str]
    """The same tagged as title names (empty unless it is titled)."""
    referred: frozenset[str]
    """Its heading names tagged as body names: a kept text whose body names one refers to it."""
    asks: frozenset[str]
    """All of the above and its words: what the novelty pass looks for in the kept view."""


_FUNCTION_TEXT = (
    "what which when where whom whose that this these those there their they them then than"
    " with from into onto over under about after before does have been were will would could"
    " should shall must many much more most some such only also each every other another your"
    " shown answer give name names value values number"
)
_FUNCTION_WORDS = frozenset(_FUNCTION_TEXT.split())
"""Words of four or more letters that say nothing of what a line is about."""

_NUMBER_TAG, _NAME_TAG, _HEADING_TAG, _BODY_TAG, _TITLE_TAG = "\x00", "\x01", "\x02", "\x03", "\x04"


@lru_cache(maxsize=1 << 20)
def bucket(token: str) -> int:
    """The stable hash bucket of a feature token."""
    return zlib.crc32(token.encode()) % BUCKETS


def _shape(token: str) -> str:
    """Numbers become ``#`` (their value says nothing general); words stay."""
    return "#" if token[0].isdigit() else token


_EMPTY: frozenset[str] = frozenset()
"""The one empty set the cached reads hold (each cached set is an object the cyclic collector
passes over; many are empty)."""


def _tagged(tag: str, items: Iterable[str]) -> frozenset[str]:
    return frozenset(map(tag.__add__, items)) if items else _EMPTY


class _Line(NamedTuple):
    """What is read of one line (``_line``): ``_TOKEN``'s, ``_NUMBER``'s and ``_NAME``'s matches
    in order (the lower-case line's tokens), and its ``LineInfo`` (None without numbers or
    names)."""

    tokens: tuple[str, ...]
    numbers: tuple[str, ...]
    names: tuple[str, ...]
    info: LineInfo | None


_LINES: dict[str, _Line] = {}
"""``_line`` of each line read (texts share lines); emptied when it holds ``LINE_CACHE``."""
LINE_CACHE = 1 << 16


def _read_line(line: str) -> _Line:
    """``_Line`` of ``line``; its kinds (of a line with numbers) from its tokens."""
    tokens = tuple(_TOKEN.findall(line.lower()))
    numbers = tuple(_NUMBER.findall(line))
    names = tuple(_NAME.findall(line))
    if not numbers and not names:
        return _Line(tokens, numbers, names, None)
    kinds = _kinds_of(tokens, " ".join(names).lower()) if numbers else _EMPTY  # value lines
    return _Line(
        tokens, numbers, names, (_tagged(_NUMBER_TAG, numbers), _tagged(_NAME_TAG, names), kinds)
    )


def _line(line: str) -> _Line:
    """``_read_line``, cached."""
    read = _LINES.get(line)
    if read is None:
        if len(_LINES) >= LINE_CACHE:
            _LINES.clear()
        read = _LINES[line] = _read_line(line)
    return read


_ODD_BREAKS = ("\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e")
"""The line breaks of ``str.splitlines`` in an ASCII text other than ``\\n``."""


def _plain(text: str) -> bool:
    """Whether ``text`` reads line by line: ASCII (its lower case is its lines' lower case) and
    broken only at ``\\n`` (its ``splitlines`` are its pieces between ``\\n``). No match of
    ``_TOKEN``, ``_NUMBER`` or ``_NAME`` spans a ``\\n``, and ``\\b`` reads a ``\\n`` as it
    reads the start or end of a string, so the whole text's matches are its lines' in order."""
    if not text.isascii():
        return False
    r, vt, ff, fs, gs, rs = _ODD_BREAKS  # one scan of the text each (memchr), no regex
    return (
        r not in text
        and vt not in text
        and ff not in text
        and fs not in text
        and gs not in text
        and rs not in text
    )


Matches = tuple[
    Iterable[str], Iterable[str], Iterable[str] | None, Iterable[str], tuple[LineInfo, ...] | None
]
"""A text's matches, in order: ``_TOKEN``'s in its lower case, ``_NUMBER``'s, ``_NAME``'s in its
heading (None without one) and in the rest, and its ``DroppedInfo.lines`` (None when not read
line by line)."""


def _whole_matches(text: str, end: int | None) -> Matches:
    """``Matches`` of ``text`` read whole (``end``: where its heading ends, if it has one)."""
    tokens, numbers = _TOKEN.findall(text.lower()), _NUMBER.findall(text)
    if end is None:
        return tokens, numbers, None, _NAME.findall(text), None
    # a name never spans the heading's end (a space after '.' or ':')
    return tokens, numbers, _NAME.findall(text, 0, end), _NAME.findall(text, end), None


def _line_matches(text: str, end: int | None) -> Matches:
    """``Matches`` of a plain text (``_plain``) read line by line (texts share lines)."""
    pieces = text.split("\n")
    reads = list(map(_line, pieces))
    tokens = chain.from_iterable(r.tokens for r in reads)
    numbers = chain.from_iterable(r.numbers for r in reads)
    lines = tuple(r.info for r in reads if r.info is not None)
    if end is None:  # one line
        return tokens, numbers, None, reads[0].names, lines
    first = len(pieces[0])  # end <= first: the heading ends at the first break or before
    rest = chain.from_iterable(r.names for r in reads[1:])
    if end == first:  # the heading is the first line
        return tokens, numbers, reads[0].names, rest, lines
    return (
        tokens,
        numbers,
        _NAME.findall(text, 0, end),
        chain(_NAME.findall(text, end, first), rest),
        lines,
    )


@lru_cache(maxsize=1 << 15)
def text_info(text: str) -> TextInfo:
    """Words (lower case), numbers, names, the names of the heading and of the body, and the
    tagged items a kept text offers the novelty pass. A plain text (``_plain``) is read line by
    line, each set built from the same matches in the same order as from the whole text (so it
    iterates alike)."""
    end = _HEADING.search(text)
    read = _line_matches if _plain(text) else _whole_matches
    tokens, found, in_heading, in_body, lines = read(text, None if end is None else end.start())
    words = frozenset(tokens)
    numbers = frozenset(found)
    heading = _EMPTY
    restated = 0.0
    if in_heading is None:
        body = names = frozenset(in_body) or _EMPTY
    else:
        heading = frozenset(in_heading) or _EMPTY
        body = frozenset(in_body) or _EMPTY
        names = (heading | body) or _EMPTY
        if heading:
            restated = len(heading & body) / (len(heading) + 1)
    titled = "\n" in text.strip()
    tagged_numbers = _tagged(_NUMBER_TAG, numbers)
    tagged_names = _tagged(_NAME_TAG, names)
    items = dict.fromkeys(
        chain(
            words,
            tagged_numbers,
            tagged_names,
            map(_HEADING_TAG.__add__, heading),
            map(_BODY_TAG.__add__, body),
            map(_TITLE_TAG.__add__, heading) if titled else (),
        )
    )
    return TextInfo(
        words,
        names,
        items,
        len(text),
        titled,
        heading,
        body,
        restated,
        tagged_numbers,
        tagged_names,
        lines,
    )


def _kinds_of(tokens: Iterable[str], skip: str = "") -> frozenset[str]:
    """The first four letters of the content words among ``tokens`` (``_TOKEN``'s matches in a
    lower-case text: the words of four letters or more, no function words, none of ``skip``'s
    words): what kind of thing a line or a question is about."""
    words = {w for w in tokens if len(w) > 3 and not w[0].isdigit()} - _FUNCTION_WORDS
    if skip:
        words.difference_update(skip.split())
    return frozenset([w[:4] for w in words]) or _EMPTY


def _kinds(text: str, skip: str = "") -> frozenset[str]:
    """``_kinds_of`` the tokens of ``text``."""
    return _kinds_of(_TOKEN.findall(text.lower()), skip)


def _digits(text: str) -> int:
    """How many digits ``text`` has (``\\d``: in an ASCII text, the bytes that deleting the
    digits takes out)."""
    if text.isascii():
        return len(text) - len(text.encode().translate(None, b"0123456789"))
    return len(_DIGIT.findall(text))


_BUCKET_MEMOS: dict[str, dict[str, int]] = {}
"""Per prefix, the bucket of each word hashed (``_token_buckets``); emptied at ``BUCKET_CACHE``."""
BUCKET_CACHE = 1 << 18


def _token_buckets(prefix: str, words: frozenset[str]) -> frozenset[int]:
    """``bucket(prefix + _shape(word))`` of each word, remembered per word in a plain dict (the
    words not seen yet hashed first, then all looked up in one pass). The crc32 of the prefix is
    carried on into the word's (as of the two joined); every number is ``#``."""
    memo = _BUCKET_MEMOS.get(prefix)
    if memo is None or len(memo) >= BUCKET_CACHE:
        memo = _BUCKET_MEMOS[prefix] = {}
    new = words.difference(memo)
    if new:
        start = crc32(prefix.encode())
        number = crc32(b"#", start) % BUCKETS
        for w in new:
            memo[w] = number if w[0].isdigit() else crc32(w.encode(), start) % BUCKETS
    return frozenset(map(memo.__getitem__, words))


@lru_cache(maxsize=1 << 14)
def dropped_info(text: str) -> DroppedInfo:
    """Token buckets, digit count and the tagged items of a text that is dropped."""
    info = text_info(text)
    numbers = info.tagged_numbers
    names = info.tagged_names
    lines = info.lines
    if lines is None:
        lines = tuple(r.info for r in map(_line, text.splitlines()) if r.info is not None)
    after_heading = info.body_names - info.heading_names
    goes_on = _tagged(_HEADING_TAG, after_heading)
    goes_on_title = _tagged(_TITLE_TAG, after_heading) if info.titled else _EMPTY
    referred = _tagged(_BODY_TAG, info.heading_names)
    return DroppedInfo(
        _token_buckets("", info.words),
        _digits(text),
        numbers,
        names,
        lines,
        goes_on,
        goes_on_title,
        referred,
        info.words.union(numbers, names, goes_on, goes_on_title, referred),
    )


@lru_cache(maxsize=1 << 20)
def word_bucket(word: str) -> int:
    """The bucket of ``word`` as a token of the dropped text."""
    return bucket(_shape(word))


@lru_cache(maxsize=1 << 20)
def novel_bucket(word: str) -> int:
    """The bucket of ``word`` as a novel token (absent from the kept view)."""
    return bucket("n_" + _shape(word))


@lru_cache(maxsize=1 << 20)
def asked_bucket(word: str) -> int:
    """The bucket of ``word`` as a token an asked question also used."""
    return bucket("a_" + _shape(word))


@lru_cache(maxsize=1 << 20)
def unasked_bucket(word: str) -> int:
    """The bucket of ``word`` as a token of a span no question has followed yet."""
    return bucket("z_" + _shape(word))


@lru_cache(maxsize=1 << 15)
def unasked_buckets(text: str) -> frozenset[int]:
    """The buckets of ``text``'s tokens as those of a span no question has followed yet."""
    return _token_buckets("z_", text_info(text).words)


@lru_cache(maxsize=1 << 12)
def _dialogue(
    questions: tuple[str, ...],
) -> tuple[frozenset[str], frozenset[str], frozenset[str], frozenset[str]]:
    """The names, the words, the kinds (``_kinds``) and the tagged names of the questions asked
    (consecutive compactions share them)."""
    infos = [text_info(q) for q in questions]
    return (
        frozenset().union(*(i.names for i in infos)),
        frozenset().union(*(i.words for i in infos)),
        frozenset().union(*map(_kinds, questions)),
        frozenset().union(*(i.tagged_names for i in infos)),
    )


_WORDS, _NUMBERS, _NAMES, _ITEMS, _CHARS, _BUCKETS, _DIGITS, _ASKS = (
    attrgetter(f)
    for f in ("words", "numbers", "names", "items", "chars", "buckets", "digits", "asks")
)
"""Fields of ``TextInfo`` and ``DroppedInfo`` (``numbers`` and ``names`` of the latter tagged)."""
_FIRST, _SECOND = itemgetter(0), itemgetter(1)


_last_view: tuple[tuple[str, ...], frozenset[str] | None] = ((), None)
"""The last kept view ``_lacking`` saw, and the union of its texts' items once seen twice."""


def _lacking(asks: frozenset[str], kept: Sequence[str]) -> frozenset[str]:
    """What of ``asks`` no kept text offers. One pass over the kept texts' items; when the kept
    view is the one of the call before (the gated memory scores several candidate drops against
    one view), their union is made once and only ``asks`` is looked up in it."""
    global _last_view
    view = tuple(kept)
    seen, union = _last_view
    if view == seen:
        if union is None:
            union = frozenset().union(*map(_ITEMS, map(text_info, view)))
            _last_view = (view, union)
        return asks - union
    _last_view = (view, None)
    return asks.difference(*map(_ITEMS, map(text_info, view)))


def features(c: Compaction) -> tuple[list[float], list[int]]:
    """The ``HAND_FEATURES`` of one compaction, in that order, and its token buckets."""
    d_infos = [text_info(t) for _, t in c.dropped]
    d_extra = [dropped_info(t) for _, t in c.dropped]
    empty: frozenset[str] = frozenset()
    asked_names, asked_words, asked_kinds, asked_tagged = _dialogue(tuple(map(_SECOND, c.asked)))
    asked_steps = list(map(_FIRST, c.asked))  # in the order asked, so ascending
    last_asked = asked_steps[-1] if asked_steps else -1
    d_words = empty.union(*map(_WORDS, d_infos))
    d_numbers = empty.union(*map(_NUMBERS, d_extra))  # tagged
    d_names = empty.union(*map(_NAMES, d_infos))
    asks = empty.union(*map(_ASKS, d_extra))
    lacking = _lacking(asks, c.kept)
    found = asks - lacking
    novel_numbers = d_numbers & lacking
    novel_names = empty.union(*map(_NAMES, d_extra)) & lacking
    novel_words = d_words & lacking
    brief_overlap = d_words & text_info(c.brief).words
    novel_lines = orphans = superseded = unasked_orphans = asked_kind = unasked_kind = 0
    name_lines = 0  # lines without numbers whose names leave the view (a named value)
    if novel_numbers or novel_names:  # a line whose value leaves: is its subject still in view?
        for (step, _), i in zip(c.dropped, d_extra, strict=True):
            for nums, names, words in i.lines:
                if nums.isdisjoint(novel_numbers):
                    name_lines += not nums and not names.isdisjoint(novel_names)
                    continue
                novel_lines += 1
                if not words.isdisjoint(asked_kinds):  # a kind of value questions ask about
                    asked_kind += 1
                    unasked_kind += step >= last_asked
                if names and names.isdisjoint(lacking):
                    superseded += 1  # its names stay in view (with another value, or restated)
                else:
                    orphans += 1  # nothing kept names what the value was about
                    unasked_orphans += step >= last_asked
    chars = sum(map(_CHARS, d_infos)) + max(0, len(d_infos) - 1)
    kept_chars = sum(map(len, c.kept))
    heading_restated = max((i.heading_restated for i in d_infos), default=0.0)

    losing = [  # the dropped spans that take a number or a name out of the view
        (step, text)
        for (step, text), d in zip(c.dropped, d_extra, strict=True)
        if not lacking.isdisjoint(d.numbers) or not lacking.isdisjoint(d.names)
    ]
    since = [len(asked_steps) - bisect_right(asked_steps, step) for step, _ in losing]
    unasked = float(bool(since) and min(since) == 0)
    named = d_names & asked_names
    words_asked = d_words & asked_words
    continued = referenced = titled = 0
    for d in d_extra:
        continued += not d.goes_on.isdisjoint(found)
        referenced += not d.referred.isdisjoint(found)
        titled += not d.goes_on_title.isdisjoint(found)

    hand = [
        math.log1p(chars / 4),
        math.log1p(kept_chars / 4),
        float(len(d_infos)),
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
        sum(map(_DIGITS, d_extra)) / (chars + 1),
        math.log1p(novel_lines),
        float(kept_chars == 0),
        heading_restated,
        math.log1p(len(c.kept)),
        math.log1p(len(asked_steps)),
        math.log1p(len(named)),
        len(named) / (len(d_names) + 1),
        len(words_asked) / (len(d_words) + 1),
        math.log1p(min(since, default=0)),
        math.log1p(max(since, default=0)),
        unasked,
        unasked * heading_restated,
        unasked * math.log1p(len(novel_numbers)),
        math.log1p(continued),
        float(continued > 0) * unasked,
        float(continued > 0) * heading_restated,
        math.log1p(referenced),
        float(referenced > 0) * unasked,
        math.log1p(titled),
        float(titled > 0) * unasked,
        float(titled > 0) * heading_restated,
        math.log1p(len(losing)),
        math.log1p(sum(1 for n in since if n == 0)),
        math.log1p(orphans),
        math.log1p(superseded),
        orphans / (novel_lines + 1),
        math.log1p(len(novel_names & asked_tagged)),  # novel names a question named
        math.log1p(unasked_orphans),
        math.log1p(asked_kind),
        asked_kind / (novel_lines + 1),
        math.log1p(unasked_kind),
        math.log1p(name_lines),
        math.log1p(novel_lines + name_lines),
        *lost_features(c.brief, d_words, d_numbers, d_extra, d_names, lacking, asked_words),
    ]
    no_buckets: frozenset[int] = frozenset()
    buckets = no_buckets.union(*map(_BUCKETS, d_extra))
    buckets = buckets.union(_token_buckets("n_", novel_words), _token_buckets("a_", words_asked))
    for (_, text), n in zip(losing, since, strict=True):
        if n == 0:
            buckets |= unasked_buckets(text)
    return hand, list(buckets)


@lru_cache(maxsize=1 << 10)
def _brief_read(brief: str) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """The brief's content words (``_content``), tagged names and kinds (``_kinds``)."""
    info = text_info(brief)
    return _content(info.words), info.tagged_names, _kinds(brief)


def _content(words: Iterable[str]) -> frozenset[str]:
    """The words of four letters or more that are not function words (nor numbers)."""
    return frozenset(w for w in words if len(w) > 3 and not w[0].isdigit()) - _FUNCTION_WORDS


def lost_features(
    brief: str,
    d_words: frozenset[str],
    d_numbers: frozenset[str],
    d_extra: Sequence[DroppedInfo],
    d_names: frozenset[str],
    lacking: frozenset[str],
    asked_words: frozenset[str],
) -> list[float]:
    """The ``LOST_FEATURES`` of a compaction: what of the dropped text (its words, tagged numbers,
    ``dropped_info`` of each span, names) the kept view lacks (``lacking``, tagged as in
    ``TextInfo.items``), set against the content words of the brief and of the questions asked."""
    brief_words, brief_names, brief_kinds = _brief_read(brief)
    tagged_names = _tagged(_NAME_TAG, d_names)
    lost = len(d_numbers & lacking) + len(tagged_names & lacking)
    relevant = d_words & brief_words
    lost_relevant = relevant & lacking
    lines = brief_lines = 0
    for i in d_extra:
        for nums, names, kinds in i.lines:
            if nums.isdisjoint(lacking):
                continue
            lines += 1
            brief_lines += not names.isdisjoint(brief_names) or not kinds.isdisjoint(brief_kinds)
    return [
        math.log1p(lost),
        lost / (len(d_numbers) + len(tagged_names) + 1),
        float(lost == 0),
        math.log1p(len(lost_relevant)),
        len(lost_relevant) / (len(relevant) + 1),
        math.log1p(len(_content(d_words & asked_words & lacking))),
        math.log1p(brief_lines),
        brief_lines / (lines + 1),
    ]


def hand_features(c: Compaction) -> list[float]:
    """The ``HAND_FEATURES`` alone."""
    return features(c)[0]


_clears = 0
"""How many times ``clear_caches`` ran (caches kept elsewhere, per model, follow it)."""


def cache_clears() -> int:
    """How many times ``clear_caches`` ran: a cache kept outside this module (``lite.Vote``'s)
    starts again when it changes."""
    return _clears


def clear_caches() -> None:
    """Forget every cached text (benchmarks start cold)."""
    global _last_view, _clears
    _clears += 1
    for cached in (
        text_info,
        dropped_info,
        bucket,
        word_bucket,
        novel_bucket,
        asked_bucket,
        unasked_bucket,
        unasked_buckets,
        _dialogue,
        _brief_read,
    ):
        cached.cache_clear()
    _LINES.clear()
    _BUCKET_MEMOS.clear()
    _last_view = ((), None)
