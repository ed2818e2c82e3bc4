"""The open-model table: model x track, isolated scores with intervals, from eval entries.

Entries are grouped by protocol (name, version, fingerprint) and the tracks they leave out
(``--tracks``): entries of different groups are never ranked together, each group is its own
table. Within a group, complete entries are ranked by the mean of their stream tracks' scores
(ceiling ``oracle``); the interactive tracks' (ceiling ``full``, another scale) are shown beside
it, never averaged in. Incomplete entries are listed, flagged, unranked.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from memgym.protocol.entry import Entry


@dataclass
class Row:
    """One entry's line: its label, rank (None: unranked), mean score and track cells."""

    label: str
    rank: int | None
    mean: float | None
    entry: Entry


@dataclass
class Group:
    """The entries of one protocol version and fingerprint, and their tracks in order."""

    protocol: str
    version: int
    fingerprint: str
    tracks: list[str]
    rows: list[Row]
    left_out: tuple[str, ...] = ()

    @property
    def title(self) -> str:
        without = f", without {', '.join(self.left_out)}" if self.left_out else ""
        return f"protocol {self.protocol} v{self.version} ({self.fingerprint[:12]}{without})"


def mean_score(entry: Entry) -> float | None:
    """The mean of the stream tracks' scores (ceiling ``oracle``); None when one has none or
    there is none."""
    scores = [t.score for t in entry.tracks if t.ceiling == "oracle"]
    if not scores or any(s is None for s in scores):
        return None
    return sum(s for s in scores if s is not None) / len(scores)


def group(entries: list[tuple[str, Entry]]) -> list[Group]:
    """``(label, entry)`` pairs as one ranked group per protocol name, version, fingerprint and
    tracks left out, in order of first appearance."""
    groups: dict[tuple[str, int, str, tuple[str, ...]], Group] = {}
    for label, entry in entries:
        ref = entry.protocol
        left_out = tuple(entry.left_out)
        key = (ref.name, ref.version, ref.fingerprint, left_out)
        if key not in groups:
            tracks = [t.track for t in entry.tracks]
            groups[key] = Group(ref.name, ref.version, ref.fingerprint, tracks, [], left_out)
        groups[key].rows.append(Row(label, None, mean_score(entry), entry))
    for g in groups.values():
        ranked = [r for r in g.rows if r.entry.complete and r.mean is not None]
        ranked.sort(key=lambda r: -(r.mean or 0.0))
        for i, row in enumerate(ranked, 1):
            row.rank = i
        g.rows.sort(key=lambda r: (r.rank is None, r.rank or 0, r.label))
    return list(groups.values())


def cell(score: float | None, low: float | None, high: float | None) -> str:
    """``0.412 [0.301, 0.527]``, or ``-`` for no score."""
    if score is None or math.isnan(score):
        return "-"
    bounds = "" if low is None or high is None else f" [{low:.3f}, {high:.3f}]"
    return f"{score:.3f}{bounds}"


def markdown(groups: list[Group]) -> str:
    """The groups as Markdown tables (one per protocol version), tokens per model included."""
    out = []
    for g in groups:
        head = ["#", "model", *g.tracks, "mean", "tokens (prompt + completion)", "status"]
        lines = [f"**{g.title}**", "", "| " + " | ".join(head) + " |"]
        lines.append("|" + "|".join("---" for _ in head) + "|")
        for row in g.rows:
            e = row.entry
            by_track = {t.track: t for t in e.tracks}
            cells = [
                str(row.rank or "-"),
                row.label,
                *(
                    cell(by_track[t].score, by_track[t].ci_low, by_track[t].ci_high)
                    if t in by_track
                    else "-"
                    for t in g.tracks
                ),
                "-" if row.mean is None else f"{row.mean:.3f}",
                f"{e.tokens.prompt + e.tokens.completion:,}",
                e.status,
            ]
            lines.append("| " + " | ".join(cells) + " |")
        out.append("\n".join(lines))
    return "\n\n".join(out) + "\n"
