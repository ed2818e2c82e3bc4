"""The fast paths of MemRM lite's feature reading give what the plain definitions give: cached
lines, the one-pass kinds, digits counted straight, remembered token buckets, a shared kept view."""

from __future__ import annotations

import re

from memgym.rm import features as f
from memgym.rm.features import Compaction, clear_caches, features

TRICKY = [
    "Alpha-Beta 12 units at 3:4:5, value 1,200.5; 1abcd x_1abcd _abcd 5_abcde 1.5abcd abcd1",
    "what WHAT Shown shown answers Answering Total Totals",
    "Ωmega İstanbul \u212aelvin café naïve 3:4:5word ٣٤ digits",
    "[debug] 12:24:37.439 sidecar-4 connection pool in 71 ms",
    "",
]
TOKEN = re.compile(r"[A-Za-z][A-Za-z0-9_]*|\d+(?:[.,:]\d+)*")
NAME = re.compile(r"\b[A-Z][a-z0-9]+(?:[ -][A-Z][a-z0-9]+)*\b")
"""The names' definition (``features._NAME`` reads its leading ``\\b`` after the capital)."""


def _plain_kinds(text: str, skip: str = "") -> frozenset[str]:
    """The definition: first four letters of the content words (four letters or more, starting
    with a letter, no function words, none of ``skip``'s)."""
    skipped = set(skip.split())
    return frozenset(
        w[:4]
        for w in TOKEN.findall(text.lower())
        if len(w) > 3 and w[0].isalpha() and w not in f._FUNCTION_WORDS and w not in skipped
    )


def test_kinds_and_digits_match_their_definitions() -> None:
    for text in TRICKY:
        for skip in ("", "abcd totals", " ".join(f._NAME.findall(text)).lower()):
            assert f._kinds(text, skip) == _plain_kinds(text, skip), (text, skip)
        assert f._digits(text) == len(re.findall(r"\d", text)), text
    assert f._digits("٣4x") == 2  # a non-ASCII digit counts as \d does


def test_token_buckets_match_bucket_of_the_shaped_token() -> None:
    words = frozenset(TOKEN.findall(" ".join(TRICKY).lower()))
    for prefix in ("", "n_", "a_", "z_"):
        expected = frozenset(f.bucket(prefix + ("#" if w[0].isdigit() else w)) for w in words)
        assert f._token_buckets(prefix, words) == expected
        assert f._token_buckets(prefix, words) == expected  # remembered: the same again


def _as_sets(read: tuple[list[float], list[int]]) -> tuple[list[float], list[int]]:
    return read[0], sorted(read[1])


def test_cached_lines_and_shared_views_change_no_feature() -> None:
    """Each compaction read cold equals it read after texts sharing its lines, and after the
    same kept view was seen (the union path of ``_lacking``)."""
    kept = [
        "Brief note. Alpha-Beta owns 12 units",
        "Gamma Station reports 7 crates\nDelta 3",
        "Nothing numeric here at all",
    ]
    dropped = [
        (3, "Gamma Station ledger\nGamma Station reports 7 crates\nAlpha-Beta 12 units"),
        (4, "Epsilon log\nDelta 3\nwhat shown value 44 total crates"),
    ]
    parts = [
        Compaction("brief about crates and units", [d], kept, [(2, "How many crates?")])
        for d in dropped
    ]
    parts.append(Compaction("brief", dropped, kept, []))
    cold = []
    for c in parts:
        clear_caches()
        cold.append(_as_sets(features(c)))
    clear_caches()
    warm = [_as_sets(features(c)) for c in parts for _ in range(2)]  # each view seen twice
    assert warm[::2] == cold
    assert warm[1::2] == cold
    assert any(h[14] > 0 for h, _ in cold)  # novel_number_lines: the line paths were taken


LINED = [
    "Title Alpha Beta\nGamma 12 units. Delta said 3:4:5\n\nEpsilon-Zeta 7",
    "Report: Alpha Beta went home. Then Gamma 12\nDelta Station 44\n",
    "One line. Alpha Beta 12 and Gamma",
    "Alpha: Beta 1,200.5 abcd1 5_abcde\nWhat shown value 44 Total Totals\nAlpha Beta",
    "no heading here 12 Alpha",
    "\nLeading break Alpha 3\n",
    "Ends with colon:\nAlpha 1",
    "x.\nAlpha Beta\n\n",
    "Gamma.\tDelta 9 Epsilon",
    "",
]


def _old_lines(text: str) -> tuple[f.LineInfo, ...]:
    """``DroppedInfo.lines`` by its definition: each ``splitlines`` line with numbers or names,
    its kinds by ``_kinds``."""
    out = []
    for line in text.splitlines():
        numbers, names = f._NUMBER.findall(line), NAME.findall(line)
        if numbers or names:
            kinds = f._kinds(line, " ".join(names).lower()) if numbers else frozenset()
            out.append(
                (
                    frozenset("\x00" + n for n in numbers),
                    frozenset("\x01" + n for n in names),
                    kinds,
                )
            )
    return tuple(out)


def test_a_plain_text_read_line_by_line_gives_the_whole_texts_matches_in_order() -> None:
    """The same matches in the same order (so the same sets, iterating alike), the same lines;
    over hand-made texts and the texts of one scenario of each track."""
    from memgym.tracks import get_track

    texts = LINED + [t for t in TRICKY if f._plain(t)]
    for name in ("entities", "research", "codeqa", "dialogue"):
        texts += [e.text for e in get_track(name).generate(100).events]
    assert sum("\n" in t for t in texts) > 200
    for text in texts:
        assert f._plain(text)
        end = f._HEADING.search(text)
        cut = None if end is None else end.start()
        whole, lined = f._whole_matches(text, cut), f._line_matches(text, cut)
        names = (
            [NAME.findall(text)]
            if cut is None
            else [NAME.findall(text, 0, cut), NAME.findall(text, cut)]
        )
        assert [list(n) for n in whole[2:4] if n is not None] == names
        for a, b in zip(whole[:4], lined[:4], strict=True):
            assert (a if a is None else list(a)) == (b if b is None else list(b)), text
        assert lined[4] == _old_lines(text), text
        clear_caches()
        info = f.text_info(text)
        assert list(info.words) == list(frozenset(whole[0]))
        assert f.dropped_info(text).lines == _old_lines(text)
    breaks = [chr(i) for i in range(128) if len(f"a{chr(i)}b".splitlines()) == 2]
    assert sorted(f._ODD_BREAKS) == sorted(set(breaks) - {"\n"})  # every other ASCII break
    for odd in (
        "Alpha 1\r\nBeta 2",
        "Alpha 1\x0cBeta 2",
        "Ωmega 3\nBeta 4",
        TRICKY[2],
        *(f"Alpha 1{b}Beta 2" for b in f._ODD_BREAKS),
    ):
        for cut in range(len(odd) + 1):  # names read from and up to any place, as for a heading
            assert f._NAME.findall(odd, cut) == NAME.findall(odd, cut)
            assert f._NAME.findall(odd, 0, cut) == NAME.findall(odd, 0, cut)
        assert not f._plain(odd)
        assert f.text_info(odd).lines is None
        assert f.dropped_info(odd).lines == _old_lines(odd)
