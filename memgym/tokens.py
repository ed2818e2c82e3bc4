"""The one deterministic token counter that every budget in memgym uses.

It approximates a BPE tokenizer without any model file: every run of word characters counts one
token per started eight characters, every other non-space character counts one token. It is pure,
fast and identical on every machine, which is what budgets need; it is not meant to match any
particular model's tokenizer.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_PIECE = re.compile(r"\w+|[^\w\s]")
_LONG_WORD = re.compile(r"\w{9,}")


MEMO_SIZE = 8192
"""Texts and lines whose counts are remembered (a policy checks a text against its cap, then
the store counts it again; a packed entry is edited one line at a time); emptied when full."""
MEMO_MAX_CHARS = 4096
"""Longer texts and lines are not remembered (they are rarely counted twice)."""
MEMO_BUDGET_CHARS = 1 << 20
"""Characters the memo may hold in all (about 1 MiB of text); emptied when over."""
_MEMO: dict[str, int] = {}
_memo_chars = 0


def count_tokens(text: str) -> int:
    """Return the number of tokens in ``text`` (0 for the empty string).

    Counts add up over lines (no piece spans a newline), so a text of several lines is the sum
    of its lines' remembered counts."""
    total = _MEMO.get(text)
    if total is not None:
        return total
    total = sum(map(_line_tokens, text.split("\n"))) if "\n" in text else _count(text)
    _remember(text, total)
    return total


def total_tokens(texts: Iterable[str]) -> int:
    """The sum of ``count_tokens`` over ``texts``, counted in one pass and not remembered: for a
    generator totalling the new texts of a scenario (no piece spans a newline, so counting the
    texts joined by newlines gives the same sum)."""
    return _count("\n".join(texts))


def _line_tokens(line: str) -> int:
    total = _MEMO.get(line)
    if total is None:
        total = _count(line)
        _remember(line, total)
    return total


def _remember(text: str, total: int) -> None:
    global _memo_chars
    if len(text) <= MEMO_MAX_CHARS:
        if len(_MEMO) >= MEMO_SIZE or _memo_chars + len(text) > MEMO_BUDGET_CHARS:
            clear_memo()
        _MEMO[text] = total
        _memo_chars += len(text)


def clear_memo() -> None:
    """Forget every remembered count."""
    global _memo_chars
    _MEMO.clear()
    _memo_chars = 0


def _ascii_classes() -> bytes:
    """A ``bytes.translate`` table for ASCII text: word characters -> ``a``, whitespace -> space,
    anything else -> ``.``, each class as the two patterns above define it."""
    word, space = re.compile(r"\w"), re.compile(r"\s")
    return bytes(
        ord("a") if word.match(c) else ord(" ") if space.match(c) else ord(".")
        for c in map(chr, range(256))
    )


_CLASSES = _ascii_classes()


def _count(text: str) -> int:
    if text.isascii():
        # The same count without a regex scan: with every character mapped to its class, the
        # pieces are the runs of "a" plus every ".", and a word of n characters adds (n-1)//8:
        # the 8-character blocks in it once its first character is dropped.
        classes = text.encode().translate(_CLASSES)
        runs = classes.count(b" a") + classes.count(b".a") + classes.startswith(b"a")
        tails = (b" " + classes).replace(b" a", b" ").replace(b".a", b".")
        return runs + classes.count(b".") + tails.count(b"aaaaaaaa")
    total = len(_PIECE.findall(text))
    for word in _LONG_WORD.findall(text):
        total += (len(word) - 1) // 8
    return total


def truncate_to_tokens(text: str, max_tokens: int) -> str:
    """Return the longest prefix of ``text`` whose token count is at most ``max_tokens``."""
    if max_tokens < 0:
        return ""
    total = 0
    for match in _PIECE.finditer(text):
        piece = match.group(0)
        total += 1 + (len(piece) - 1) // 8
        if total > max_tokens:
            return text[: match.start()].rstrip()
    return text
