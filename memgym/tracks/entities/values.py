"""Drawing typed attribute values from a template's priors, and changing them plausibly.

Floats and series are drawn already rounded to the attribute's decimals, so the text states the
exact value. Series are four quarterly numbers whose shape (rising, falling or mixed) is drawn
uniformly, which keeps trend questions balanced.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable
from itertools import accumulate, pairwise, permutations

from memgym.tracks.entities.names import TEXT_MAKERS, Random01
from memgym.tracks.entities.templates import TEMPLATES, Attribute, Template
from memgym.types import Value

Drawer = Callable[[Random01], tuple[Value, str]]
"""Draws one value and returns it with its canonical text (``format_value`` of it)."""
RISING, FALLING, MIXED = "rising", "falling", "mixed"
SHAPES = (RISING, FALLING, MIXED)
_MIXED_ORDERS = tuple(p for p in permutations(range(4)) if p not in ((0, 1, 2, 3), (3, 2, 1, 0)))
_SERIES_SPREAD = 0.3
"""Quarterly values lie within +-30 % of a base drawn from the range."""


def _int(a: Attribute) -> Drawer:
    low, span = int(a.low), int(a.high) - int(a.low) + 1

    def draw(random: Random01) -> tuple[int, str]:
        value = low + int(random() * span)
        return value, str(value)

    return draw


def decimal_text(k: int, decimals: int) -> str:
    """The canonical text of ``k / 10**decimals`` (0-2 decimals: the template loader allows no
    more) from the integer ``k``: what ``f"{k / 10**decimals:.2f}"`` gives with trailing zeros
    and point stripped, without formatting a float."""
    if decimals == 0:
        return str(k)
    if k < 0:
        return "-" + decimal_text(-k, decimals)
    if decimals == 1:
        whole, tenths = divmod(k, 10)
        return f"{whole}.{tenths}" if tenths else str(whole)
    whole, cents = divmod(k, 100)
    if not cents:
        return str(whole)
    return f"{whole}.{cents // 10}" if cents % 10 == 0 else f"{whole}.{cents:02d}"


def _float(a: Attribute) -> Drawer:
    decimals = a.decimals
    scale = 10**decimals
    low, span = round(a.low * scale), round(a.high * scale) - round(a.low * scale) + 1

    def draw(random: Random01) -> tuple[float, str]:
        k = low + int(random() * span)
        return k / scale, decimal_text(k, decimals)

    return draw


def _enum(a: Attribute) -> Drawer:
    pairs = tuple((c, c) for c in a.choices)
    cumulative = list(accumulate(a.weights))
    total = cumulative[-1]
    last = len(pairs) - 1
    return lambda random: pairs[min(last, bisect_right(cumulative, random() * total))]


_MONTH_DAYS = tuple(f"-{m:02d}-{d:02d}" for m in range(1, 13) for d in range(1, 29))


def _date(a: Attribute) -> Drawer:
    years = tuple(f"{y:04d}" for y in range(int(a.low), int(a.high) + 1))
    n_years, n_days = len(years), len(_MONTH_DAYS)

    def draw(random: Random01) -> tuple[str, str]:
        text = years[int(random() * n_years)] + _MONTH_DAYS[int(random() * n_days)]
        return text, text

    return draw


def _text(a: Attribute) -> Drawer:
    make = TEXT_MAKERS[a.gen]

    def draw(random: Random01) -> tuple[str, str]:
        text = make(random)
        return text, text

    return draw


def _series(a: Attribute) -> Drawer:
    decimals = a.decimals
    scale = 10**decimals
    low, high = round(a.low * scale), round(a.high * scale)
    spread = _SERIES_SPREAD
    n_mixed = len(_MIXED_ORDERS)

    def draw(random: Random01) -> tuple[list[float], str]:
        while True:
            base = low + random() * (high - low)
            # four units within the spread of the base, clamped to the range, drawn in order
            u1 = int(base * (1 + spread * (2 * random() - 1)))
            u2 = int(base * (1 + spread * (2 * random() - 1)))
            u3 = int(base * (1 + spread * (2 * random() - 1)))
            u4 = int(base * (1 + spread * (2 * random() - 1)))
            units = sorted({u1, u2, u3, u4})
            if units[0] < low or units[-1] > high:  # clamped to the range: distinct ones left
                units = sorted({min(high, max(low, u)) for u in units})
            if len(units) == 4:
                break
        shape = int(random() * 3)
        if shape == 1:
            units.reverse()
        elif shape == 2:
            units = [units[i] for i in _MIXED_ORDERS[int(random() * n_mixed)]]
        if scale == 1:  # whole numbers: k / 1 is written as k
            return [float(k) for k in units], ", ".join(map(str, units))
        return [k / scale for k in units], ", ".join([decimal_text(k, decimals) for k in units])

    return draw


_MAKERS: dict[str, Callable[[Attribute], Drawer]] = {
    "int": _int,
    "float": _float,
    "enum": _enum,
    "date": _date,
    "text": _text,
    "series": _series,
}


def drawers(template: Template) -> tuple[Drawer, ...]:
    """One value drawer per attribute of ``template``, in attribute order (made at import)."""
    return _DRAWERS[template.name]


_DRAWERS = {name: tuple(_MAKERS[a.type](a) for a in t.attributes) for name, t in TEMPLATES.items()}


def shape(series: list[float]) -> str:
    """rising, falling or mixed, as ``memgym.query`` calls a series."""
    steps = [b - a for a, b in pairwise(series)]
    if all(s > 0 for s in steps):
        return RISING
    if all(s < 0 for s in steps):
        return FALLING
    return MIXED


def changed(random: Random01, a: Attribute, old: float) -> float:
    """A plausible new value: 5-30 % of the old value (at most of the range) away, in range, never equal."""
    span = a.high - a.low
    step_floor = 1 if a.type == "int" else 10**-a.decimals
    while True:
        size = max(min(abs(old), span) * (0.05 + 0.25 * random()), step_floor)
        sign = 1 if random() < 0.5 else -1
        new = old + sign * size
        if not a.low <= new <= a.high:
            new = old - sign * size
        new = min(a.high, max(a.low, new))
        value = round(new) if a.type == "int" else round(new, a.decimals) + 0.0
        if value != old:
            return value
