"""The code bases of the swe track: real pure-Python modules of the running interpreter's standard
library, each with the probe calls that exercise it.

A probe is one Python expression over ``m`` (the module under test) and the helpers of the code
base's ``setup``; its ``repr`` (or the name of the exception it raises) is what hidden tests
compare against the original code. The sources are read from the installed standard library at
generation time (never copied into memgym); a scenario records each source's sha256, so a session
opened on an interpreter with different sources fails with a clear message.
"""

from __future__ import annotations

import hashlib
import sysconfig
from dataclasses import dataclass
from functools import cache
from pathlib import Path


@dataclass(frozen=True)
class CodeBase:
    """A module of the standard library and the probes that exercise it."""

    name: str
    setup: str
    probes: tuple[str, ...]

    @property
    def filename(self) -> str:
        return f"{self.name}.py"

    def path(self) -> Path:
        """The installed source file."""
        return Path(sysconfig.get_paths()["stdlib"]) / self.filename

    def source(self) -> str:
        """The installed source text; ``ValueError`` naming the file when it is missing."""
        path = self.path()
        if not path.is_file():
            raise ValueError(f"swe: code base {self.name!r} needs {path}, which is not installed")
        return path.read_text(encoding="utf-8")

    def sha(self) -> str:
        return source_sha(self.source())


def source_sha(text: str) -> str:
    """sha256 of a source text (hex, first 16 digits)."""
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _calls(template: str, *argument_lists: str) -> tuple[str, ...]:
    """``template`` (with one ``{}``) filled with each argument list."""
    return tuple(template.format(a) for a in argument_lists)


_TEXTS = (
    "'The quick brown fox jumps over the lazy dog.'",
    "'  leading spaces and\\ttabs here, then more words'",
    "'a-very-long-hyphenated-word-that-needs-breaking now'",
    "'Hello.  World!  Two spaces after a sentence. And more.'",
    "'one two three four five six seven eight nine ten eleven twelve'",
    "''",
)
TEXTWRAP = CodeBase(
    "textwrap",
    "",
    tuple(f"m.wrap({t}, {w})" for t in _TEXTS for w in (5, 12, 30))
    + tuple(f"m.fill({t}, 18)" for t in _TEXTS)
    + tuple(f"m.shorten({t}, {w})" for t in _TEXTS[:5] for w in (15, 25))
    + tuple(f"m.wrap({t}, 12, break_long_words=False)" for t in _TEXTS[:5])
    + tuple(f"m.wrap({t}, 12, break_on_hyphens=False)" for t in _TEXTS[:5])
    + tuple(f"m.TextWrapper(width=14, max_lines=2).wrap({t})" for t in _TEXTS[:5])
    + tuple(f"m.TextWrapper(width=16, fix_sentence_endings=True).fill({t})" for t in _TEXTS[3:5])
    + tuple(f"m.wrap({t}, 20, initial_indent='* ', subsequent_indent='  ')" for t in _TEXTS[:5])
    + tuple(f"m.wrap({t}, 10, drop_whitespace=False)" for t in _TEXTS[:3])
    + tuple(f"m.wrap({t}, 10, tabsize=4)" for t in _TEXTS[1:2])
    + _calls(
        "m.dedent({})",
        "'    a\\n    b\\n'",
        "'  a\\n    b\\n  c'",
        "'\\ta\\n\\tb'",
        "'  a\\n\\n  b\\n'",
        "'x\\n  y'",
        "'   \\n  a\\n   b'",
    )
    + _calls(
        "m.indent({})",
        "'a\\nb\\n\\nc', '> '",
        "'a\\n  \\nb', '+', lambda line: True",
        "'one\\ntwo', '--'",
    ),
)

_COMMANDS = (
    "'ls -la /tmp'",
    "'echo \"hello world\" foo'",
    "\"grep -e 'a b' file.txt\"",
    "'a\\\\ b c'",
    "'cmd --opt=\"x y\" # comment'",
    "'a && b; c || d'",
    "'\"unterminated'",
    "'one\\ttwo\\nthree'",
)
SHLEX = CodeBase(
    "shlex",
    "",
    tuple(f"m.split({c})" for c in _COMMANDS)
    + tuple(f"m.split({c}, comments=True)" for c in _COMMANDS[3:6])
    + tuple(f"m.split({c}, posix=False)" for c in _COMMANDS[:6])
    + _calls("m.quote({})", "'simple'", "'with space'", '"it\'s"', "''", "'a$b'", "'-x=1,2'")
    + _calls("m.join({})", "['a', 'b c', \"d'e\"]", "[]", "['x']")
    + tuple(f"list(m.shlex({c}, punctuation_chars=True))" for c in _COMMANDS[:6])
    + tuple(f"list(m.shlex({c}))" for c in _COMMANDS[:6]),
)

FRACTIONS = CodeBase(
    "fractions",
    "F = m.Fraction",
    _calls(
        "{}",
        "F(3, 4) + F(1, 6)",
        "F(3, 4) - F(5, 6)",
        "F(2, 3) * F(9, 4)",
        "F(2, 3) / F(4, 9)",
        "F('1.25')",
        "F('-3/7')",
        "F(' 7e-2 ')",
        "F(0.5)",
        "F(6, -4)",
        "F(0, 5)",
        "F(7, 3) // 2",
        "F(-7, 3) // 2",
        "F(7, 3) % F(1, 2)",
        "divmod(F(7, 3), F(1, 2))",
        "F(22, 7).limit_denominator(5)",
        "F(3141593, 1000000).limit_denominator(100)",
        "F(1, 3).limit_denominator(1)",
        "round(F(7, 2))",
        "round(F(5, 2))",
        "round(F(-5, 2))",
        "round(F(22, 7), 2)",
        "F(3, 4) ** 2",
        "F(4, 9) ** -2",
        "F(4, 9) ** F(1, 2)",
        "F(2, 3) < F(3, 4)",
        "F(2, 3) >= F(3, 4)",
        "F(1, 3) == F(2, 6)",
        "F(1, 2) == 0.5",
        "F(1, 3).as_integer_ratio()",
        "str(F(-6, 4))",
        "repr(F(5))",
        "F(5) / F(-10)",
        "abs(F(-2, 3))",
        "-F(2, 3)",
        "int(F(-7, 2))",
        "F(-7, 2).__floor__()",
        "F(-7, 2).__ceil__()",
        "F(-7, 2).__trunc__()",
        "F.from_float(0.1).limit_denominator(100)",
        "F.from_decimal(__import__('decimal').Decimal('1.1'))",
        "F(1, 0)",
        "F('abc')",
        "float(F(1, 8))",
        "F(1, 3) + 1",
        "2 - F(1, 3)",
        "F(3, 5) * 1.5",
        "bool(F(0, 3))",
        "F(10, 4).numerator, F(10, 4).denominator",
        "F(3, 2).is_integer()",
        "sum([F(1, n) for n in range(1, 8)])",
        "F(5, 3) // F(1, 3)",
        "F(-5, 3) % 2",
    ),
)

_DATA = (
    "[1, 2, 3, 4, 5, 6]",
    "[2.5, 3.25, 5.5, 11.25, 11.75]",
    "[1, 1, 2, 3, 3, 3, 9]",
    "[F(1, 2), F(3, 4), F(5, 4)]",
    "[10, 20]",
    "[7]",
)
STATISTICS = CodeBase(
    "statistics",
    "from fractions import Fraction as F",
    tuple(
        f"m.{f}({d})"
        for f in (
            "mean",
            "fmean",
            "median",
            "median_low",
            "median_high",
            "median_grouped",
            "mode",
            "multimode",
            "pvariance",
            "variance",
            "pstdev",
            "stdev",
            "geometric_mean",
            "harmonic_mean",
        )
        for d in _DATA
    )
    + _calls(
        "{}",
        "m.quantiles([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])",
        "m.quantiles([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], n=5, method='inclusive')",
        "m.quantiles([2.5, 3.25, 5.5, 11.25], n=3)",
        "m.correlation([1, 2, 3, 4, 5], [2, 4, 5, 4, 5])",
        "m.covariance([1, 2, 3, 4, 5], [2, 4, 5, 4, 5])",
        "m.linear_regression([1, 2, 3, 4, 5], [2, 4, 5, 4, 5])",
        "m.linear_regression([1, 2, 3], [2, 4, 6], proportional=True)",
        "m.median_grouped([1, 3, 3, 5, 7], interval=2)",
        "m.variance([1, 2, 3, 4], xbar=2.5)",
        "m.pvariance([1, 2, 3, 4], mu=2)",
        "m.NormalDist(5, 2).cdf(6)",
        "m.NormalDist(5, 2).pdf(6)",
        "m.NormalDist(0, 1).inv_cdf(0.975)",
        "m.NormalDist(1, 2).overlap(m.NormalDist(2, 3))",
        "m.NormalDist.from_samples([1, 2, 3, 4]).mean",
        "m.NormalDist(3, 4) + m.NormalDist(1, 2)",
        "m.NormalDist(3, 4) * 2",
        "m.NormalDist(10, 2).zscore(13)",
        "m.NormalDist(0, 1).quantiles(4)",
        "m.mean([])",
        "m.stdev([1])",
        "m.harmonic_mean([2, 4], weights=[1, 3])",
        "m.fmean([1, 2, 3], weights=[3, 2, 1])",
    ),
)

_A = "['one\\n', 'two\\n', 'three\\n', 'four\\n', 'five\\n']"
_B = "['zero\\n', 'one\\n', 'tree\\n', 'four\\n', 'five\\n', 'six\\n']"
_PAIRS = (
    "'abcd', 'bcde'",
    "'private Thread', 'private Volatile'",
    "'hello world', 'yellow word'",
    "'aaa', 'aaa'",
    "'', 'abc'",
    "'qabxcd', 'abycdf'",
)
DIFFLIB = CodeBase(
    "difflib",
    "",
    tuple(f"m.SequenceMatcher(None, {p}).ratio()" for p in _PAIRS)
    + tuple(f"m.SequenceMatcher(None, {p}).get_opcodes()" for p in _PAIRS)
    + tuple(f"m.SequenceMatcher(None, {p}).get_matching_blocks()" for p in _PAIRS)
    + tuple(f"m.SequenceMatcher(None, {p}).quick_ratio()" for p in _PAIRS[:3])
    + tuple(f"m.SequenceMatcher(None, {p}).real_quick_ratio()" for p in _PAIRS[:3])
    + tuple(f"list(m.SequenceMatcher(None, {p}).get_grouped_opcodes(1))" for p in _PAIRS[:3])
    + _calls(
        "{}",
        "m.SequenceMatcher(lambda c: c == ' ', 'a b c d', 'a bc d').ratio()",
        "m.SequenceMatcher(None, 'abxcd', 'abcd').find_longest_match(0, 5, 0, 4)",
        "m.get_close_matches('appel', ['ape', 'apple', 'peach', 'puppy'])",
        "m.get_close_matches('wheel', ['while', 'wheat', 'whale', 'shell'], n=2, cutoff=0.5)",
        "m.get_close_matches('x', ['a'], n=0)",
        f"list(m.unified_diff({_A}, {_B}, 'a.txt', 'b.txt'))",
        f"list(m.unified_diff({_A}, {_B}, n=1))",
        f"list(m.context_diff({_A}, {_B}, 'a.txt', 'b.txt'))",
        f"list(m.ndiff({_A}, {_B}))",
        "list(m.ndiff(['abcdefg\\n'], ['abcxefg\\n']))",
        f"list(m.restore(m.ndiff({_A}, {_B}), 2))",
        "m.IS_CHARACTER_JUNK(' ')",
        "m.IS_LINE_JUNK('  # \\n')",
        "m.IS_LINE_JUNK('code\\n')",
        f"list(m.Differ().compare({_A}, {_B}))",
        "list(m.diff_bytes(m.unified_diff, [b'a\\n', b'b\\n'], [b'a\\n', b'c\\n']))",
    ),
)

_RGB = (
    "0.2, 0.4, 0.4",
    "1.0, 0.0, 0.0",
    "0.0, 1.0, 0.5",
    "0.5, 0.5, 0.5",
    "0.9, 0.1, 0.6",
    "0.1, 0.2, 0.9",
    "0.0, 0.0, 0.0",
    "1.0, 1.0, 1.0",
)
COLORSYS = CodeBase(
    "colorsys",
    "r6 = lambda t: tuple(round(x, 6) for x in t)",
    tuple(
        f"r6(m.{f}({c}))"
        for f in (
            "rgb_to_hsv",
            "hsv_to_rgb",
            "rgb_to_hls",
            "hls_to_rgb",
            "rgb_to_yiq",
            "yiq_to_rgb",
        )
        for c in _RGB
    )
    + _calls("r6(m.hsv_to_rgb({}, 0.5, 0.5))", *(f"{h / 12:.4f}" for h in range(12)))
    + _calls("r6(m.hls_to_rgb({}, 0.4, 0.7))", *(f"{h / 12:.4f}" for h in range(12))),
)

CALENDAR = CodeBase(
    "calendar",
    "",
    _calls("m.isleap({})", "1900", "2000", "2023", "2024")
    + _calls(
        "{}",
        "m.leapdays(1900, 2024)",
        "m.leapdays(2000, 2001)",
        "m.monthrange(2024, 2)",
        "m.monthrange(2023, 2)",
        "m.monthrange(2021, 8)",
        "m.weekday(2024, 3, 1)",
        "m.weekday(1999, 12, 31)",
        "m.monthcalendar(2023, 5)",
        "m.monthcalendar(2024, 2)",
        "m.month(2024, 2)",
        "m.month(2021, 8, w=3, l=2)",
        "m.TextCalendar(6).formatmonth(2021, 8)",
        "m.TextCalendar().formatyear(2023, c=2, m=4)[:600]",
        "m.timegm((2020, 1, 1, 0, 0, 0))",
        "m.timegm((1999, 12, 31, 23, 59, 59))",
        "list(m.Calendar(1).iterweekdays())",
        "list(m.Calendar().itermonthdays(2024, 2))",
        "list(m.Calendar(6).itermonthdays2(2023, 4))",
        "[str(d) for d in m.Calendar().itermonthdates(2023, 1)]",
        "m.Calendar().monthdays2calendar(2022, 7)",
        "m.Calendar().yeardayscalendar(2023, 4)[0]",
        "m.HTMLCalendar().formatmonth(2024, 1)",
        "m.weekheader(3)",
        "m.weekheader(1)",
        "m.monthrange(2024, 13)",
        "list(m.Calendar().itermonthdays3(2024, 12))[-3:]",
        "m.Calendar(firstweekday=3).monthdatescalendar(2021, 2)[0][0].isoformat()",
    ),
)

GRAPHLIB = CodeBase(
    "graphlib",
    "def batches(graph):\n"
    "    ts = m.TopologicalSorter(graph)\n"
    "    ts.prepare()\n"
    "    out = []\n"
    "    while ts.is_active():\n"
    "        ready = sorted(ts.get_ready())\n"
    "        out.append(ready)\n"
    "        ts.done(*ready)\n"
    "    return out\n"
    "def cycle(graph):\n"
    "    try:\n"
    "        m.TopologicalSorter(graph).prepare()\n"
    "    except m.CycleError as error:\n"
    "        return error.args\n"
    "    return None\n",
    tuple(
        f"{f}({g})"
        for f in ("batches", "(lambda g: list(m.TopologicalSorter(g).static_order()))", "cycle")
        for g in (
            "{'d': {'b', 'c'}, 'b': {'a'}, 'c': {'a'}}",
            "{1: [2, 3], 2: [4], 3: [4], 4: []}",
            "{'a': ['b'], 'b': ['a']}",
            "{'x': []}",
            "{}",
            "{5: [1], 6: [1, 5], 7: [6, 5, 1], 8: [7]}",
            "{'a': ['b'], 'b': ['c'], 'c': ['a'], 'd': ['a']}",
            "{'a': ['a']}",
            "{1: [2], 3: [4], 5: []}",
            "{0: [1, 2, 3], 1: [2, 3], 2: [3], 3: []}",
            "{'p': ['q'], 'q': ['r'], 'r': ['s'], 's': ['q']}",
        )
    )
    + _calls(
        "{}",
        "(lambda ts: (ts.add('a', 'b'), ts.add('b'), list(ts.static_order())))(m.TopologicalSorter())",
        "(lambda ts: (ts.prepare(), ts.get_ready(), ts.is_active()))(m.TopologicalSorter({'a': []}))",
        "(lambda ts: ts.done('a'))(m.TopologicalSorter({'a': []}))",
        "(lambda ts: (ts.prepare(), ts.prepare()))(m.TopologicalSorter({'a': []}))",
        "(lambda ts: (ts.prepare(), ts.done('zz')))(m.TopologicalSorter({'a': []}))",
        "(lambda ts: (ts.prepare(), ts.get_ready(), ts.done('a'), ts.done('a')))"
        "(m.TopologicalSorter({'a': []}))",
        "(lambda ts: (ts.prepare(), ts.add('b')))(m.TopologicalSorter({'a': []}))",
        "bool(m.TopologicalSorter({'a': []}))",
        "(lambda ts: (ts.prepare(), bool(ts)))(m.TopologicalSorter({'a': ['b']}))",
    ),
)

CODEBASES: dict[str, CodeBase] = {
    c.name: c
    for c in (TEXTWRAP, SHLEX, FRACTIONS, STATISTICS, DIFFLIB, COLORSYS, CALENDAR, GRAPHLIB)
}
"""Every code base, in the order seeds take them (seed ``s`` gets the ``s % 8``-th)."""


def get_codebase(name: str) -> CodeBase:
    try:
        return CODEBASES[name]
    except KeyError:
        raise ValueError(f"unknown code base {name!r}; known: {', '.join(CODEBASES)}") from None


@cache
def cached_source(name: str) -> str:
    """A code base's source, read once per process."""
    return get_codebase(name).source()
