"""The report page: one self-contained HTML file (inline CSS and SVG, no script, no network)."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from html import escape
from typing import Any

from memgym import __version__
from memgym.report import charts
from memgym.report.data import ReportData, interactive
from memgym.report.training import RewardCurve

CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1d1f24;margin:0;
background:#f6f7f9}
main{max-width:1380px;margin:0 auto;padding:24px 28px 60px}
h1{font-size:24px;margin:0 0 4px}h2{font-size:19px;margin:34px 0 10px;border-bottom:1px solid
#d5d8de;padding-bottom:4px}h3{font-size:15px;margin:18px 0 8px;color:#3a3f4a}
.meta{color:#5a6170;margin:0 0 12px}
.grid{display:flex;flex-wrap:wrap;gap:16px}
figure{margin:0;background:#fff;border:1px solid #e0e3e8;border-radius:6px;padding:8px;
max-width:100%}
figure svg{display:block;max-width:100%;height:auto}
figcaption{color:#5a6170;font-size:12.5px;max-width:600px;margin-top:6px}
table{border-collapse:collapse;background:#fff;font-size:13px;margin:6px 0 12px}
th,td{border:1px solid #e0e3e8;padding:4px 7px;text-align:right}
th{background:#eef0f4}td.name,th.name{text-align:left}
.legend{display:flex;flex-wrap:wrap;gap:4px 14px;font-size:12px;margin-top:6px;max-width:600px}
.legend .key i{display:inline-block;width:10px;height:10px;margin-right:5px;border-radius:2px}
.note{color:#5a6170}
.warn{background:#fff4e5;border:1px solid #f0b35a;border-radius:4px;padding:6px 10px}
.ftitle{font-weight:600;font-size:13.5px;margin:2px 4px 6px}
svg .label{font-size:12px;fill:#1d1f24}svg .tick{font-size:11px;fill:#6b7280}
svg .value{font-size:11px;fill:#3a3f4a}svg .axis-label{font-size:12px;fill:#3a3f4a}
svg .grid{stroke:#eceef2;stroke-width:1}svg .ref{stroke:#9aa1ad;stroke-dasharray:4 3}
svg .whisker{stroke:#1d1f24;stroke-width:1.5}svg path.line{stroke-width:2}
"""


def build_html(data: ReportData, curves: Sequence[RewardCurve] = ()) -> str:
    """The whole report page for ``data`` (and GRPO reward ``curves``, when given)."""
    ids = charts.Ids()
    parts = [
        f"<h1>memgym report</h1><p class=meta>{escape(data.path)} · {len(data.runs)} runs · "
        f"{data.episodes} episodes"
        + (f" · {data.infra_errors} infra_error episodes left out" if data.infra_errors else "")
        + f" · memgym {escape(__version__)}</p>",
    ]
    if data.incomplete:
        listed = "; ".join(f"run {r['id']} ({r['status']})" for r in data.incomplete)
        ranked = (
            "they are ranked below, flagged incomplete"
            if data.include_incomplete
            else "the leaderboard leaves them out"
        )
        parts.append(
            f"<p class=warn>Incomplete runs: {escape(listed)}. Their figures leave out the "
            f"failed or missing episodes; {ranked}.</p>"
        )
    parts.append("<h2>Leaderboard</h2>")
    if data.leaderboard:
        parts.append(leaderboard_table(data.leaderboard))
        parts.append(f"<div class=grid>{charts.leaderboard_chart(ids, data.leaderboard)}</div>")
    else:
        parts.append("<p class=note>No scored episodes in this file.</p>")
    parts.append("<h2>Memory-isolated scores</h2>")
    if data.isolation:
        for group in data.isolation:
            parts.append(f"<h3>{escape(group_title(group))}</h3>")
            table = interactive_table(group) if group.interactive else isolation_table(group)
            parts.append(table)
            parts.append(f"<div class=grid>{charts.isolation_chart(ids, group)}</div>")
    else:
        parts.append(
            "<p class=note>Needs runs of <code>none</code> and <code>oracle</code> (on an "
            "interactive track: <code>none</code> and <code>full</code>, the ceiling) with the "
            "same reasoner or agent on the same scenarios (<code>memgym compare</code> runs "
            "them).</p>"
        )
    for track in data.tracks:
        parts.append(f"<h2>Track: {escape(track.track)}</h2><div class=grid>")
        if track.interactive:  # agent sessions: no question axes, no stream length or budget
            parts.append(charts.compactions_chart(ids, track))
            parts.append(
                "</div><p class=note>An interactive track: its episodes are agent "
                "sessions scored by task reward (above), with no question axes.</p>"
            )
            continue
        parts.append(charts.axes_chart(ids, track))
        parts.append(charts.length_chart(ids, track))
        parts.extend(charts.budget_chart(ids, track, family) for family in track.budget)
        parts.append(charts.compactions_chart(ids, track))
        parts.append("</div>")
        if not track.budget:
            parts.append(
                "<p class=note>No memory was run at two or more budgets: no accuracy-against-"
                "budget chart.</p>"
            )
    if data.rm:
        parts.append("<h2>MemRM</h2>")
        for split in data.rm:
            parts.append(f"<h3>split: {escape(split.split)}</h3><div class=grid>")
            parts.extend(charts.rm_charts(ids, split))
            parts.append("</div>")
    if curves:
        parts.append("<h2>Training: GRPO reward per step</h2>")
        parts.append(f"<div class=grid>{charts.reward_chart(ids, curves)}</div>")
        for c in curves:
            rows = [
                [str(step), str(stage), f"{r:.3f}", f"{sd:.3f}"] for step, stage, r, sd in c.steps
            ]
            parts.append(f"<h3>{escape(c.name)}</h3>")
            parts.append(_table(["step", "stage", "mean reward", "std"], rows))
    parts.append("<h2>Runs</h2>" + runs_table(data.runs))
    body = "\n".join(parts)
    return (
        "<!DOCTYPE html>\n<html lang=en><head><meta charset=utf-8>"
        '<meta name=viewport content="width=device-width, initial-scale=1">'
        f"<title>memgym report</title><style>{CSS}</style></head>"
        f"<body><main>\n{body}\n</main></body></html>\n"
    )


def group_title(group: charts.IsolationGroup) -> str:
    """``entities · gpt-x``; an interactive track's section by its agent: ``swe · agent context``
    (``swe · agent llm:model=m · m``)."""
    if not group.interactive:
        return f"{group.track} · {group.model}"
    model = f" · {group.model}" if group.model != "scripted" else ""
    return f"{group.track} · agent {group.reasoner}{model}"


def _num(x: float, se: float | None = None) -> str:
    if math.isnan(x):
        return "–"
    return f"{x:.3f}" + (f" ± {se:.3f}" if se is not None and not math.isnan(se) else "")


def _table(head: list[str], rows: list[list[str]], names: int = 1, last_left: bool = False) -> str:
    """An HTML table; the first ``names`` columns (and the last, if ``last_left``) align left."""

    def cell(tag: str, i: int, value: str) -> str:
        left = i < names or (last_left and i == len(head) - 1)
        return f"<{tag}{' class=name' if left else ''}>{escape(value)}</{tag}>"

    th = "".join(cell("th", i, h) for i, h in enumerate(head))
    trs = "".join(
        "<tr>" + "".join(cell("td", i, c) for i, c in enumerate(row)) + "</tr>" for row in rows
    )
    return f"<table><thead><tr>{th}</tr></thead><tbody>{trs}</tbody></table>"


def leaderboard_table(rows: list[dict[str, Any]]) -> str:
    """The leaderboard: each row's score beside its cost (tokens per question, compactions per
    episode) and how far its figures can be trusted (what ran the memory, salted seeds)."""
    agents = any(interactive(str(r["track"])) for r in rows)
    score, share = ("score", "accuracy / solved") if agents else ("composite", "accuracy")
    return _table(
        ["#", "track", "tier", "memory", "policy / reasoner", "model", score, share,
         "tokens / question", "compactions / episode", "seeds", "episodes", "trust", "run"],
        [
            [
                "-" if r["rank"] is None else str(r["rank"]),
                str(r["track"]),
                str(r["tier"]),
                str(r["memory"]),
                str(r["shown"]),
                str(r["model"]),
                _num(float(r["composite"]), float(r["composite_se"])),
                _num(float(r["accuracy"]), float(r["accuracy_se"])),
                _tokens(r.get("tokens_per_question"), str(r.get("tokens_kind", ""))),
                f"{float(r.get('compactions', 0.0)):,.1f}",
                str(r["seeds"]),
                str(r["episodes"]),
                trust_text(r.get("boundary", []), r.get("salt", [])),
                "complete" if r["complete"] else "incomplete",
            ]
            for r in rows
        ],
        names=6,
        last_left=True,
    )  # fmt: skip


def _tokens(per_question: float | None, kind: str) -> str:
    """Tokens per question, ``(view)`` when they are the memory's view, not a model's."""
    if per_question is None:
        return "–"
    return f"{per_question:,.0f}" + (" (view)" if kind == "view" else "")


def trust_text(boundaries: Sequence[str], salts: Sequence[str]) -> str:
    """What ran the memory and the reasoner (``in-process``, ``process``, ``sandbox``) and
    whether the seeds were salted (``salted 3f9a12cd``) or public."""
    seeds = ", ".join(f"salted {s[:8]}" for s in salts if s) or "public seeds"
    return f"{', '.join(boundaries) or 'in-process'} · {seeds}"


def isolation_table(group: charts.IsolationGroup) -> str:
    return _table(
        ["memory", "accuracy", "isolated", "95 % CI", "accuracy | oracle right", "questions"],
        [
            [
                s.memory,
                _num(s.accuracy),
                _num(s.isolated),
                f"[{_num(s.ci_low)}, {_num(s.ci_high)}]",
                _num(s.oracle_right),
                str(s.scored),
            ]
            for s in group.scores
        ],
    )


def interactive_table(group: charts.IsolationGroup) -> str:
    """An interactive track's comparison, as ``memgym compare`` prints it."""
    from memgym.interactive.episode import outcome_text

    return _table(
        ["memory", "task reward", "solved", "isolated", "95 % CI", "tasks", "task outcomes"],
        [
            [
                s.memory,
                _num(group.rewards.get(s.memory, math.nan)),
                _num(s.accuracy),
                _num(s.isolated),
                f"[{_num(s.ci_low)}, {_num(s.ci_high)}]",
                str(s.questions),
                outcome_text(group.outcomes.get(s.memory, {})),
            ]
            for s in group.scores
        ],
        last_left=True,
    )


def runs_table(runs: list[dict[str, object]]) -> str:
    return _table(
        ["id", "created", "episodes", "status", "config"],
        [
            [
                str(r["id"]),
                str(r["created"]),
                str(r["episodes"]),
                str(r.get("status", "")),
                json.dumps(r["config"], sort_keys=True)[:160],
            ]
            for r in runs
        ],
        names=0,
        last_left=True,
    )
