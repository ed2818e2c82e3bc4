"""The dialogue track's reader: the agent's confirmation frames and canonical note lines.

A claim is read from every confirmation, correction and party frame in the agent's turns
(wherever it starts a sentence), from every line of a party roster (``ROSTER_FRAME`` then
``ROSTER_LINE`` lines) and from every note line (``Entity | attr=value; ...``), which
is also how the search tool lists its flights. The customer's free prose, questions, briefs and
filler chat use none of these forms and so yield nothing.
"""

from __future__ import annotations

import re

from memgym.claims import Claim, parse_notes
from memgym.tracks.dialogue import phrases

NAME = r"[A-Z][a-z]+(?: [A-Z][a-z]+)*"
_VALUE = r"[^()\n]+?"
_LABEL = "|".join(re.escape(label) for label in sorted(phrases.ATTRIBUTE_OF, key=len, reverse=True))
_SLOTS = {
    "{E}": rf"(?P<e>{NAME})",
    "{L}": rf"(?P<l>{_LABEL})",
    "{V}": rf"(?P<v>{_VALUE})",
    "{P}": rf"(?P<p>{_VALUE})",
    "{C}": rf"(?P<c>{NAME})",
    "{M}": r"(?P<m>[a-z]+(?: [a-z]+)*)",
}
_END = r"(?=\s|$)"


def _compile(frame: str) -> re.Pattern[str]:
    """The frame as a pattern matching where a sentence may start: at the start of the text or
    after whitespace. The frame's opening words come first and the start is checked behind
    them (``(?<!\\S<words>)``: no non-space before them), so the regex engine scans for those
    words as a literal prefix instead of trying every position (same matches, several times
    faster)."""
    head = frame[: frame.index("{")]
    out = re.escape(frame[len(head) :])
    for slot, group in _SLOTS.items():
        out = out.replace(re.escape(slot), group)
    start = rf"(?<!\S{re.escape(head)})"
    return re.compile(re.escape(head) + start + out + _END, re.MULTILINE)


_FRAMES = tuple(_compile(f) for f in phrases.CONFIRM_FRAMES + phrases.CORRECTION_FRAMES)
_PARTY = _compile(phrases.PARTY_FRAME)
_ROSTER = re.compile(
    re.escape(phrases.ROSTER_FRAME).replace(re.escape("{E}"), rf"(?P<e>{NAME})")
    + r"(?P<lines>(?:\n- .*)+)"
)
_ROSTER_LINE = re.compile(
    re.escape(phrases.ROSTER_LINE)
    .replace(re.escape("{C}"), rf"(?P<c>{NAME})")
    .replace(re.escape("{M}"), _SLOTS["{M}"])
    + "$",
    re.MULTILINE,
)
_ROSTER_HEAD = phrases.ROSTER_FRAME.split("{E}")[0]
"""The roster frame's fixed words: a text without them holds no roster (a cheap pre-check)."""


def read(text: str) -> list[Claim]:
    """Every claim in ``text``, in text order."""
    found: list[tuple[int, list[Claim]]] = []
    for pattern in _FRAMES:
        for m in pattern.finditer(text):
            groups = m.groupdict()
            claim = Claim(m["e"], phrases.ATTRIBUTE_OF[m["l"]], m["v"], groups.get("p"))
            found.append((m.start(), [claim]))
    for m in _PARTY.finditer(text):
        who = m["c"]
        found.append((m.start(), [Claim(who, "travels_with", m["e"]), Claim(who, "meal", m["m"])]))
    if _ROSTER_HEAD in text:
        for m in _ROSTER.finditer(text):
            start, user = m.start("lines"), m["e"]
            for member in _ROSTER_LINE.finditer(m["lines"]):
                who = member["c"]
                claims = [Claim(who, "travels_with", user), Claim(who, "meal", member["m"])]
                found.append((start + member.start(), claims))
    if "|" in text:
        offset = 0
        for line in text.splitlines(keepends=True):
            if "|" in line:
                found.append((offset, parse_notes(line)))
            offset += len(line)
    found.sort(key=lambda item: item[0])
    return [claim for _, claims in found for claim in claims]
