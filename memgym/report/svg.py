"""Inline SVG chart primitives: horizontal bars, grouped bars, intervals and line charts.

Every chart is one ``<svg class="chart" id=...>`` with a ``<title>``; every drawn datum (bar,
whisker, point, line) has class ``mark`` so a browser test can check that each one rendered.
Text is escaped; numbers are formatted with at most 3 significant digits. No scripts, no
external references: the output is meant to be pasted into a self-contained HTML page.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from html import escape

PALETTE = (
    "#4269d0",
    "#efb118",
    "#ff725c",
    "#6cc5b0",
    "#3ca951",
    "#ff8ab7",
    "#a463f2",
    "#97bbf5",
    "#9c6b4e",
    "#9498a0",
    "#1b7f6b",
    "#c2185b",
)
CHAR_W = 7.7
"""Approximate width of one 12 px sans-serif character, for laying out labels."""
WIDTH = 600


def color(i: int) -> str:
    return PALETTE[i % len(PALETTE)]


def fmt(x: float) -> str:
    """A short label for a number: 3 significant digits, thousands as ``k``."""
    if math.isnan(x):
        return "-"
    if abs(x) >= 1e6:
        return f"{x / 1e6:.3g}M"
    if abs(x) >= 1000:
        return f"{x / 1000:.3g}k"
    return f"{x:.3g}"


def nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """About ``count`` round tick values, the first at or below ``lo``, the last at or above
    ``hi`` (so a scale from the first to the last tick covers the data)."""
    if hi <= lo:
        hi = lo + 1
    raw = (hi - lo) / max(1, count)
    step = 10 ** math.floor(math.log10(raw))
    for mult in (1, 2, 2.5, 5, 10):
        if raw <= step * mult:
            step *= mult
            break
    first = math.floor(lo / step + 1e-9)
    last = math.ceil(hi / step - 1e-9)
    return [round(i * step, 10) for i in range(first, last + 1)]


def scale(d0: float, d1: float, r0: float, r1: float) -> Callable[[float], float]:
    """The linear map of domain ``[d0, d1]`` onto range ``[r0, r1]``."""
    span = (d1 - d0) or 1.0
    return lambda v: r0 + (v - d0) / span * (r1 - r0)


def svg(chart_id: str, title: str, width: float, height: float, body: list[str]) -> str:
    """Wrap ``body`` in a chart ``<svg>`` with its id, title and a frame of the given size."""
    w, h = round(width), round(height)
    return (
        f'<svg id="{escape(chart_id)}" class="chart" role="img" width="{w}" height="{h}" '
        f'viewBox="0 0 {w} {h}" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{escape(title)}</title>" + "".join(body) + "</svg>"
    )


def text(
    x: float, y: float, s: str, anchor: str = "start", cls: str = "label", **attrs: str
) -> str:
    extra = "".join(f' {k.replace("_", "-")}="{escape(v)}"' for k, v in attrs.items())
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" class="{cls}"{extra}>'
        f"{escape(s)}</text>"
    )


def axis_title(center: float, y: float, s: str) -> str:
    """An axis title centred at ``center``, moved left when it would run past the right edge."""
    half = len(s) * CHAR_W * 0.45
    return text(min(center, WIDTH - 4 - half), y, s, "middle", "axis-label")


def line(x1: float, y1: float, x2: float, y2: float, cls: str, **attrs: str) -> str:
    extra = "".join(f' {k.replace("_", "-")}="{escape(v)}"' for k, v in attrs.items())
    return f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" class="{cls}"{extra}/>'


MAX_LABEL = 42
"""Longer labels are cut with an ellipsis (the full text stays in the mark's tooltip)."""


def short(label: str) -> str:
    return label if len(label) <= MAX_LABEL else label[: MAX_LABEL - 1] + "…"


def label_width(labels: Sequence[str]) -> float:
    return max((len(short(s)) for s in labels), default=4) * CHAR_W + 12


def x_axis(x: Callable[[float], float], ticks: list[float], y0: float, y1: float) -> list[str]:
    """Vertical grid lines at ``ticks`` from ``y0`` to ``y1``, labels below."""
    out = []
    for t in ticks:
        out.append(line(x(t), y0, x(t), y1, "grid"))
        out.append(text(x(t), y1 + 14, fmt(t), "middle", "tick"))
    return out


def y_axis(y: Callable[[float], float], ticks: list[float], x0: float, x1: float) -> list[str]:
    """Horizontal grid lines at ``ticks`` from ``x0`` to ``x1``, labels on the left."""
    out = []
    for t in ticks:
        out.append(line(x0, y(t), x1, y(t), "grid"))
        out.append(text(x0 - 6, y(t) + 4, fmt(t), "end", "tick"))
    return out


def hbars(
    chart_id: str,
    title: str,
    labels: Sequence[str],
    values: Sequence[float],
    errors: Sequence[float] | None = None,
    x_label: str = "",
    x_max: float | None = None,
) -> str:
    """One horizontal bar per label (value ± error whisker when given), value at its end."""
    left = label_width(labels)
    bar_h, gap, top = 18, 8, 10
    height = top + len(labels) * (bar_h + gap) + 40
    hi = max([x_max or 0.0, *(v + (errors[i] if errors else 0) for i, v in enumerate(values))])
    ticks = nice_ticks(0, hi or 1)
    x = scale(0, ticks[-1], left, WIDTH - 50)
    body = x_axis(x, ticks, top, height - 34)
    for i, (name, v) in enumerate(zip(labels, values, strict=True)):
        y0 = top + i * (bar_h + gap)
        body.append(text(left - 6, y0 + bar_h / 2 + 4, short(name), "end"))
        if math.isnan(v):
            body.append(text(left + 4, y0 + bar_h / 2 + 4, "n/a", "start", "tick"))
            continue
        w = max(1.0, x(v) - left)
        body.append(
            f'<rect class="mark bar" x="{left:.1f}" y="{y0:.1f}" width="{w:.1f}" '
            f'height="{bar_h}" fill="{color(0)}"><title>{escape(name)}: {fmt(v)}</title></rect>'
        )
        end = x(v)
        if errors and errors[i] > 0:
            lo, hi_ = x(max(0.0, v - errors[i])), x(v + errors[i])
            mid = y0 + bar_h / 2
            body.append(line(lo, mid, hi_, mid, "mark whisker"))
            end = hi_
        body.append(text(end + 4, y0 + bar_h / 2 + 4, fmt(v), "start", "value"))
    body.append(axis_title((left + WIDTH - 50) / 2, height - 4, x_label))
    return svg(chart_id, title, WIDTH, height, body)


def grouped_hbars(
    chart_id: str,
    title: str,
    groups: Sequence[str],
    series: Sequence[str],
    values: Sequence[Sequence[float]],
    x_max: float = 1.0,
) -> str:
    """For each group, one bar per series (``values[group][series]``), coloured by series."""
    left = label_width(groups)
    bar_h, gap, top = 9, 12, 10
    block = len(series) * bar_h
    height = top + len(groups) * (block + gap) + 40
    ticks = nice_ticks(0, x_max)
    x = scale(0, ticks[-1], left, WIDTH - 20)
    body = x_axis(x, ticks, top, height - 34)
    for g, name in enumerate(groups):
        y0 = top + g * (block + gap)
        body.append(text(left - 6, y0 + block / 2 + 4, short(name), "end"))
        for s, label in enumerate(series):
            v = values[g][s]
            if math.isnan(v):
                continue
            w = max(1.0, x(v) - left)
            body.append(
                f'<rect class="mark bar" x="{left:.1f}" y="{y0 + s * bar_h:.1f}" width="{w:.1f}" '
                f'height="{bar_h - 1}" fill="{color(s)}">'
                f"<title>{escape(name)} / {escape(label)}: {fmt(v)}</title></rect>"
            )
    return svg(chart_id, title, WIDTH, height, body)


def intervals(
    chart_id: str,
    title: str,
    labels: Sequence[str],
    points: Sequence[float],
    lows: Sequence[float],
    highs: Sequence[float],
    x_label: str = "",
    refs: Sequence[float] = (0.0, 1.0),
) -> str:
    """A point with a whisker from low to high per label, with reference lines at ``refs``."""
    left = label_width(labels)
    row, top = 26, 10
    height = top + len(labels) * row + 40
    finite = [v for v in (*points, *lows, *highs, *refs) if not math.isnan(v)]
    ticks = nice_ticks(min(finite, default=0.0), max(finite, default=1.0))
    x = scale(ticks[0], ticks[-1], left, WIDTH - 60)
    body = x_axis(x, ticks, top, height - 34)
    for r in refs:
        body.append(line(x(r), top, x(r), height - 34, "ref"))
    for i, name in enumerate(labels):
        mid = top + i * row + row / 2
        body.append(text(left - 6, mid + 4, short(name), "end"))
        p, lo, hi = points[i], lows[i], highs[i]
        if math.isnan(p):
            body.append(text(left + 4, mid + 4, "undefined", "start", "tick"))
            continue
        if not (math.isnan(lo) or math.isnan(hi)) and hi > lo:
            body.append(line(x(lo), mid, x(hi), mid, "mark whisker", stroke=color(0)))
        body.append(
            f'<circle class="mark point" cx="{x(p):.1f}" cy="{mid:.1f}" r="5" fill="{color(0)}">'
            f"<title>{escape(name)}: {fmt(p)} [{fmt(lo)}, {fmt(hi)}]</title></circle>"
        )
        right = p if math.isnan(hi) else max(p, hi)
        body.append(text(x(right) + 8, mid + 4, fmt(p), "start", "value"))
    body.append(axis_title((left + WIDTH - 60) / 2, height - 4, x_label))
    return svg(chart_id, title, WIDTH, height, body)


@dataclass
class Series:
    """A named line: points ``(x, y)``, optional error bars ``(lo, hi)`` per point."""

    name: str
    points: list[tuple[float, float]]
    errors: list[tuple[float, float]] = field(default_factory=list)
    markers: bool = True


def lines(
    chart_id: str,
    title: str,
    series: Sequence[Series],
    x_label: str,
    y_label: str,
    x_domain: tuple[float, float] | None = None,
    y_domain: tuple[float, float] | None = None,
    diagonal: bool = False,
    height: float = 300,
) -> str:
    """A line chart, one coloured line (with point markers and error bars) per series."""
    left, right, top, bottom = 52, 20, 12, 42
    xs = [p[0] for s in series for p in s.points]
    ys = [p[1] for s in series for p in s.points]
    ys += [v for s in series for e in s.errors for v in e]
    x_lo, x_hi = x_domain or (min(xs, default=0.0), max(xs, default=1.0))
    y_lo, y_hi = y_domain or (min(0.0, *ys) if ys else 0.0, max(ys, default=1.0))
    if x_hi == x_lo:  # one x: centre it in a span of ±10 %
        pad = abs(x_lo) * 0.1 or 1.0
        x_lo, x_hi = x_lo - pad, x_hi + pad
    x_ticks = nice_ticks(x_lo, x_hi)
    y_ticks = nice_ticks(y_lo, y_hi)
    x = scale(x_ticks[0], x_ticks[-1], left, WIDTH - right)
    y = scale(y_ticks[0], y_ticks[-1], height - bottom, top)
    body = x_axis(x, x_ticks, top, height - bottom) + y_axis(y, y_ticks, left, WIDTH - right)
    if diagonal:
        lo, hi = max(x_ticks[0], y_ticks[0]), min(x_ticks[-1], y_ticks[-1])
        body.append(line(x(lo), y(lo), x(hi), y(hi), "ref"))
    for i, s in enumerate(series):
        c = color(i)
        pts = sorted(s.points)
        if len(pts) > 1:
            d = " ".join(
                f"{'M' if j == 0 else 'L'}{x(px):.1f},{y(py):.1f}" for j, (px, py) in enumerate(pts)
            )
            body.append(f'<path class="mark line" d="{d}" stroke="{c}" fill="none"/>')
        for j, (px, py) in enumerate(s.points):
            if j < len(s.errors) and s.errors[j][1] > s.errors[j][0]:
                lo, hi = s.errors[j]
                body.append(line(x(px), y(lo), x(px), y(hi), "mark whisker", stroke=c))
            if s.markers or len(pts) == 1:
                body.append(
                    f'<circle class="mark point" cx="{x(px):.1f}" cy="{y(py):.1f}" r="3.5" '
                    f'fill="{c}"><title>{escape(s.name)}: ({fmt(px)}, {fmt(py)})</title></circle>'
                )
    body.append(axis_title((left + WIDTH - right) / 2, height - 6, x_label))
    mid = (top + height - bottom) / 2
    body.append(
        text(12, mid, y_label, "middle", "axis-label", transform=f"rotate(-90 12 {mid:.1f})")
    )
    return svg(chart_id, title, WIDTH, height, body)


def legend(names: Sequence[str]) -> str:
    """An HTML legend: one colour swatch per name, in palette order."""
    items = "".join(
        f'<span class="key"><i style="background:{color(i)}"></i>{escape(n)}</span>'
        for i, n in enumerate(names)
    )
    return f'<div class="legend">{items}</div>'
