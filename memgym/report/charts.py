"""The report's figures: each function turns one piece of ``ReportData`` into an HTML
``<figure>`` holding an SVG chart (with a stable id), a legend where needed, and a caption."""

from __future__ import annotations

import re
from collections.abc import Sequence
from html import escape

from memgym.report import svg
from memgym.report.curves import auc, ece, reliability, risk_coverage, roc
from memgym.report.data import AXES, IsolationGroup, Point, RMSplit, TrackData, interactive
from memgym.report.training import RewardCurve


class Ids:
    """Stable, unique element ids from readable names (``axes-entities``, ``roc-test-2``)."""

    def __init__(self) -> None:
        self.seen: set[str] = set()

    def __call__(self, *parts: str) -> str:
        base = re.sub(r"[^a-z0-9]+", "-", "-".join(parts).lower()).strip("-") or "chart"
        name, n = base, 1
        while name in self.seen:
            n += 1
            name = f"{base}-{n}"
        self.seen.add(name)
        return name


def figure(chart: str, caption: str, legend: Sequence[str] = ()) -> str:
    """The chart under a visible heading (its SVG title), then its legend and caption."""
    found = re.search(r"<title>(.*?)</title>", chart)
    heading = f'<div class="ftitle">{found.group(1)}</div>' if found else ""
    keys = svg.legend(legend) if legend else ""
    return f"<figure>{heading}{chart}{keys}<figcaption>{escape(caption)}</figcaption></figure>"


def leaderboard_chart(ids: Ids, rows: Sequence[dict[str, object]]) -> str:
    """Composite (mean ± standard error over seeds) per track x tier x model x memory x
    policy; each bar named by what tells it apart (an incomplete run's bar says so)."""
    tracks = {r["track"] for r in rows}
    tiers = {r.get("tier") for r in rows}
    models = {r["model"] for r in rows}
    reasoners = {r.get("reasoner") for r in rows}

    def name(r: dict[str, object]) -> str:
        parts = [str(r.get("policy") or r["memory"])]
        parts += [str(r["reasoner"])] if len(reasoners) > 1 and not r.get("policy") else []
        parts += [str(r["model"])] if len(models) > 1 else []
        parts += [str(r["track"])] if len(tracks) > 1 else []
        parts += [str(r["tier"])] if len(tiers) > 1 else []
        parts += ["incomplete"] if r.get("complete") is False else []
        return " · ".join(parts)

    agents = {str(r["track"]) for r in rows if interactive(str(r["track"]))}
    streams = tracks - agents
    chart = svg.hbars(
        ids("leaderboard"),
        "Composite score per memory" if not agents else "Score per memory",
        [name(r) for r in rows],
        [float(r["composite"]) for r in rows],  # type: ignore[arg-type]
        [float(r["composite_se"]) for r in rows],  # type: ignore[arg-type]
        ("composite score" if not agents else "score") + " (whisker: ± standard error over seeds)",
        x_max=1.0,
    )
    caption = []
    if streams:
        caption.append(
            "Composite = 0.30 breadth + 0.25 maintenance + 0.25 reasoning + 0.20 efficiency."
        )
    if agents:
        caption.append(f"{', '.join(sorted(agents))}: the mean task reward (the verifier's).")
    return figure(chart, " ".join([*caption, "Best first."]))


def axes_chart(ids: Ids, data: TrackData) -> str:
    """Per-axis mean score for every memory of the track."""
    values = [[data.axes[label][a] for a in AXES] for label in data.labels]
    chart = svg.grouped_hbars(
        ids("axes", data.track), f"Per-axis scores, {data.track}", data.labels, AXES, values
    )
    return figure(chart, f"{data.track}: mean score per axis over all episodes.", AXES)


def isolation_chart(ids: Ids, group: IsolationGroup) -> str:
    """Memory-isolated score with its 95 % bootstrap CI per memory."""
    reference = ("none", group.ceiling)
    scores = [s for s in group.scores if s.memory not in reference] or group.scores
    chart = svg.intervals(
        ids("isolated", group.track, group.model),
        f"Memory-isolated score, {group.track}, {group.model}",
        [s.memory for s in scores],
        [s.isolated for s in scores],
        [s.ci_low for s in scores],
        [s.ci_high for s in scores],
        f"isolated score (0 = none, 1 = {group.ceiling}; whisker: 95 % CI)",
    )
    n = group.scores[0].scored if group.scores else 0
    if group.interactive:
        return figure(
            chart,
            f"{group.track} / agent {group.reasoner}: (solved − solved(none)) / (solved(full) − "
            f"solved(none)) over {n} paired tasks; full, the whole history, is the ceiling.",
        )
    return figure(
        chart,
        f"{group.track} / {group.reasoner}: (acc − acc(none)) / (acc(oracle) − acc(none)) over "
        f"{n} paired questions.",
    )


def length_chart(ids: Ids, data: TrackData) -> str:
    """Accuracy against stream length: one line per memory through its length groups."""
    series = [_series(label, pts) for label, pts in data.length.items()]
    chart = svg.lines(
        ids("length", data.track),
        f"Accuracy against stream length, {data.track}",
        series,
        "stream tokens observed (mean per group)",
        "accuracy",
        y_domain=(0.0, 1.0),
    )
    return figure(
        chart,
        f"{data.track}: episodes grouped by {data.length_param}; ± standard error.",
        list(data.length),
    )


def budget_chart(ids: Ids, data: TrackData, family: str) -> str:
    """Accuracy against one memory family's budget option."""
    option = data.budget_option[family]
    series = [_series(label, pts) for label, pts in data.budget[family].items()]
    chart = svg.lines(
        ids("budget", data.track, family),
        f"Accuracy against budget, {family}, {data.track}",
        series,
        f"{family} {option}",
        "accuracy",
        y_domain=(0.0, 1.0),
    )
    caption = f"{data.track}: accuracy of {family} at each {option}; ± standard error."
    return figure(chart, caption, list(data.budget[family]))


def compactions_chart(ids: Ids, data: TrackData) -> str:
    """Compaction records per episode, per memory."""
    labels = list(data.compactions)
    chart = svg.hbars(
        ids("compactions", data.track),
        f"Compactions per episode, {data.track}",
        labels,
        [data.compactions[label][0] for label in labels],
        [data.compactions[label][1] for label in labels],
        "compactions per episode (whisker: ± standard error)",
    )
    return figure(chart, f"{data.track}: how often each memory compacted its context.")


UNIT = (0.0, 1.0)


def _unit_square(chart_id: str, title: str, series: list[svg.Series], axes: tuple[str, str]) -> str:
    """A line chart of rates on both axes, [0, 1] each, with the diagonal drawn."""
    return svg.lines(chart_id, title, series, *axes, x_domain=UNIT, y_domain=UNIT, diagonal=True)


def rm_charts(ids: Ids, split: RMSplit) -> list[str]:
    """ROC, reliability diagram and risk-coverage curve of every model on one split."""
    models = list(split.models)
    rocs, rels, risks, notes = [], [], [], []
    for name in models:
        labels, scores = split.models[name]
        curve = roc(labels, scores)
        rocs.append(svg.Series(f"{name} (AUROC {auc(curve):.3f})", curve, markers=False))
        bins = reliability(labels, scores)
        rels.append(svg.Series(name, [(p, o) for p, o, _ in bins]))
        risks.append(svg.Series(name, risk_coverage(labels, scores), markers=False))
        notes.append(f"{name}: n={len(labels)}, ECE {ece(labels, scores):.3f}")
    roc_chart = _unit_square(
        ids("roc", split.split),
        f"ROC, {split.split}",
        rocs,
        ("false positive rate", "true positive rate"),
    )
    reliability_chart = _unit_square(
        ids("reliability", split.split),
        f"Reliability, {split.split}",
        rels,
        ("predicted P(HARMFUL)", "observed HARMFUL rate"),
    )
    risk_chart = svg.lines(
        ids("risk-coverage", split.split),
        f"Risk–coverage, {split.split}",
        risks,
        "coverage (most confident first)",
        "error rate",
        x_domain=UNIT,
    )
    return [
        figure(
            roc_chart,
            f"{split.split}: HARMFUL is the positive class. " + "; ".join(notes),
            [s.name for s in rocs],
        ),
        figure(
            reliability_chart,
            f"{split.split}: 10 equal-width bins of P(HARMFUL); the diagonal is perfect "
            "calibration.",
            models,
        ),
        figure(risk_chart, f"{split.split}: error rate at 0.5 among the rows kept.", models),
    ]


def reward_chart(ids: Ids, curves: Sequence[RewardCurve]) -> str:
    """GRPO's mean reward per step, one line per run, ± the group's standard deviation."""
    series = [
        svg.Series(c.name, [(float(step), r) for step, _, r, _ in c.steps],
                   [(max(0.0, r - sd), r + sd) for _, _, r, sd in c.steps])
        for c in curves
    ]  # fmt: skip
    chart = svg.lines(ids("grpo", "reward"), "GRPO mean reward per step", series,
                      "optimizer step", "mean reward of the step's rollouts")  # fmt: skip
    about = "; ".join(f"{c.name}: {c.about}" for c in curves)
    return figure(chart, f"± the standard deviation within each step's group. {about}.",
                  [c.name for c in curves])  # fmt: skip


def _series(name: str, pts: Sequence[Point]) -> svg.Series:
    return svg.Series(
        name,
        [(p.x, p.y) for p in pts],
        [(max(0.0, p.y - p.se), min(1.0, p.y + p.se)) for p in pts],
    )
