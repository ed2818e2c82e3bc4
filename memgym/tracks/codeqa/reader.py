"""Text -> claims for the codeqa track: code chunks, hotfix notes, changelog entries, note lines.

Code is read line by line, and only inside a chunk frame (``# === pkg/mod.py (part i of n) ===``
up to its end marker), so vendored snapshots, scratch code and logs state nothing. In a frame:

- ``NAME = <number>`` at column 0 -> (NAME, value, number) and (NAME, module, pkg.mod);
- ``def f(`` at column 0 -> (f, module, pkg.mod); when the function's body is complete (the next
  column-0 line or the end marker) -> (f, calls, "g, h") for the plain calls to non-builtins in
  first-call order, (f, raises, E) for ``raise E(``, (f, uses, C) for UPPER_CASE names read.

``HOTFIX v: path: C changed from a to b (...)`` -> (C, value, b, previous a); a changelog line
``- path: C is now b.`` -> (C, value, b); a config audit
``CONFIG AUDIT v: path: C is still b (...)`` -> (C, value, b). Canonical note lines go through
``parse_notes``.
"""

from __future__ import annotations

import builtins
import keyword
import re

from memgym.claims import Claim, format_number, parse_notes

_NUM = r"-?\d+(?:\.\d+)?"
_CONST_NAME = r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+"
_START = re.compile(r"^# === (?P<path>[A-Za-z_][\w/]*)\.py \(part \d+ of \d+\) ===$")
_END = re.compile(r"^# === end of [\w/]+\.py part \d+ ===$")
_CONST = re.compile(rf"^(?P<name>{_CONST_NAME}) = (?P<value>{_NUM})\s*$")
_DEF = re.compile(r"^def (?P<name>[a-z_]\w*)\(")
_CALL = re.compile(r"(?<![\w.])([a-z_][a-z0-9_]*)\(")
_RAISE = re.compile(r"^\s+raise (?P<error>[A-Z]\w*)\(")
_USE = re.compile(rf"(?<![\w.])({_CONST_NAME})\b(?!\()")
_STRING = re.compile(r"\"[^\"\n]*\"|'[^'\n]*'")
_HOTFIX = re.compile(
    rf"^HOTFIX [\d.]+: [\w/]+\.py: (?P<name>{_CONST_NAME}) changed from (?P<old>{_NUM}) to "
    rf"(?P<new>{_NUM}) \("
)
_CHANGELOG = re.compile(rf"^- [\w/]+\.py: (?P<name>{_CONST_NAME}) is now (?P<new>{_NUM})\.$")
_AUDIT = re.compile(
    rf"^CONFIG AUDIT [\d.]+: [\w/]+\.py: (?P<name>{_CONST_NAME}) is still (?P<value>{_NUM}) \("
)
_NOT_CALLS = frozenset(dir(builtins)) | frozenset(keyword.kwlist)


def number(literal: str) -> str:
    """Canonical text of a numeric literal."""
    return format_number(float(literal)) if "." in literal else str(int(literal))


class _Function:
    __slots__ = ("calls", "name", "raises", "uses")

    def __init__(self, name: str) -> None:
        self.name = name
        self.calls: list[str] = []
        self.raises: list[str] = []
        self.uses: list[str] = []

    def line(self, line: str) -> None:
        m = _RAISE.match(line)
        if m is not None and m["error"] not in self.raises:
            self.raises.append(m["error"])
        code = _STRING.sub('""', line)
        for name in _CALL.findall(code):
            if name not in _NOT_CALLS and name not in self.calls:
                self.calls.append(name)
        for name in _USE.findall(code):
            if name not in self.uses:
                self.uses.append(name)

    def claims(self) -> list[Claim]:
        out = []
        for attribute, values in (("calls", self.calls), ("raises", self.raises)):
            if values:
                out.append(Claim(self.name, attribute, ", ".join(values)))
        if self.uses:
            out.append(Claim(self.name, "uses", ", ".join(self.uses)))
        return out


def read(text: str) -> list[Claim]:
    """Every claim in ``text``, in text order."""
    claims: list[Claim] = []
    module: str | None = None
    function: _Function | None = None
    for line in text.splitlines():
        if module is not None:
            if function is not None and (not line or line[0] in " \t"):
                if line.strip() and not line.lstrip().startswith("#"):
                    function.line(line)
                continue
            if function is not None:
                claims.extend(function.claims())
                function = None
            if _END.match(line):
                module = None
                continue
            m = _CONST.match(line)
            if m is not None:
                name = m["name"]
                claims += [Claim(name, "value", number(m["value"])), Claim(name, "module", module)]
                continue
            d = _DEF.match(line)
            if d is not None:
                function = _Function(d["name"])
                claims.append(Claim(function.name, "module", module))
                continue
            if not _START.match(line):
                continue
        start = _START.match(line)
        if start is not None:
            module, function = start["path"].replace("/", "."), None
            continue
        if "|" in line:
            claims.extend(parse_notes(line))
            continue
        h = _HOTFIX.match(line)
        if h is not None:
            claims.append(Claim(h["name"], "value", number(h["new"]), number(h["old"])))
            continue
        c = _CHANGELOG.match(line)
        if c is not None:
            claims.append(Claim(c["name"], "value", number(c["new"])))
            continue
        a = _AUDIT.match(line)
        if a is not None:
            claims.append(Claim(a["name"], "value", number(a["value"])))
    return claims
