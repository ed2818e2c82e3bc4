"""A learned option picker: which listed option is the answer, from the options' structure alone.

Where a question picks one of listed options (the dialogue track's flight catalogues), a
generator can leak the answer through how the options are laid out: the wanted row's place,
how many rows share its route, day or cabin, where its fare and stops rank. This adversary
learns that layout on other seeds and never sees the asker: each option becomes a vector of
structural features (``option_features``) computed from its catalogue alone, a gradient-boosted
classifier (scikit-learn) learns which vector is the gold, and ``Picker.pick`` answers the
catalogue's likeliest option. ``memgym.simulation.cheats`` trains it (``learn_picker``) and runs
it as the ``learned_option`` cheat, judged like every cheat.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Sequence
from typing import Any

Option = dict[str, str]

CELL_SHARE = 8
"""A text field with at most ``n / CELL_SHARE`` distinct values among ``n`` options (a route, a
day, a cabin; not a departure time or a carrier) is one of the fields that make an option's
cell."""

SKIPPED = frozenset({"id", "catalogue"})
"""Option fields that are not features: the option's own id and its catalogue's."""


def _number(text: str | None) -> float | None:
    try:
        return float(text) if text is not None else None
    except ValueError:
        return None


def option_features(options: Sequence[Option]) -> list[list[float]]:
    """One row of structural features per option, in order (same length for every catalogue
    whose options have the same fields): its place; per text field, the share of options sharing
    its value and whether that value is the commonest; its cell (the options sharing every coarse text
    field, ``CELL_SHARE``): the cell's size, its place in the cell; per number field, its rank in the catalogue
    and in its cell, whether it is its cell's least or most, its distance from the catalogue's
    median; how many options of its cell it dominates or is dominated by on every number field;
    and how many options differ from it in one text field."""
    n = len(options)
    fields = sorted({k for o in options for k in o} - SKIPPED)
    numeric = [k for k in fields if all(_number(o.get(k)) is not None for o in options)]
    text = [k for k in fields if k not in numeric]
    coarse = [k for k in text if len({o.get(k) for o in options}) <= max(2, n // CELL_SHARE)]
    cells = [tuple(o.get(k) for k in coarse) for o in options]
    cell_size = Counter(cells)
    counts = {k: Counter(o.get(k) for o in options) for k in text}
    values = {k: [_number(o.get(k)) or 0.0 for o in options] for k in numeric}
    rows = []
    seen_in_cell: Counter[tuple[str | None, ...]] = Counter()
    for i, o in enumerate(options):
        cell = cells[i]
        mates = [j for j in range(n) if cells[j] == cell]
        row = [i / max(n - 1, 1), float(i == 0), float(i == n - 1), float(n)]
        for k in text:
            row.append(counts[k][o.get(k)] / n)
            row.append(float(counts[k][o.get(k)] == max(counts[k].values())))
        row += [cell_size[cell] / n, float(cell_size[cell]), float(seen_in_cell[cell])]
        seen_in_cell[cell] += 1
        for k in numeric:
            v = values[k][i]
            everyone = values[k]
            in_cell = [everyone[j] for j in mates]
            spread = (max(everyone) - min(everyone)) or 1.0
            row.append(sum(x < v for x in everyone) / n)
            row.append(sum(x < v for x in in_cell) / len(in_cell))
            row.append(float(v == min(in_cell)))
            row.append(float(v == max(in_cell)))
            row.append((v - statistics.median(everyone)) / spread)
        dominates = dominated = 0
        for j in mates:
            if j == i:
                continue
            le = all(values[k][i] <= values[k][j] for k in numeric)
            ge = all(values[k][i] >= values[k][j] for k in numeric)
            dominates += le and not ge
            dominated += ge and not le
        row += [float(dominates), float(dominated), float(not dominated)]
        row.append(float(sum(sum(o.get(k) != p.get(k) for k in text) == 1 for p in options)) / n)
        rows.append(row)
    return rows


class Picker:
    """A fitted picker: ``pick(options)`` is the id of the option it scores likeliest."""

    def __init__(self, model: Any, width: int) -> None:
        self.model = model
        self.width = width

    def pick(self, options: Sequence[Option]) -> str | None:
        rows = option_features(options)
        if not rows or len(rows[0]) != self.width:
            return None  # a catalogue of another shape than the training ones
        p = self.model.predict_proba(rows)[:, 1]
        best = max(range(len(options)), key=lambda i: (p[i], -i))
        return options[best].get("id")


def fit_picker(catalogues: Sequence[tuple[Sequence[Option], str]]) -> Picker | None:
    """A picker fitted on ``(options, gold id)`` pairs (None without a gold among them, or
    when the catalogues' shapes differ)."""
    from sklearn.ensemble import GradientBoostingClassifier  # no OpenMP: safe to fork after

    x: list[list[float]] = []
    y: list[int] = []
    for options, gold in catalogues:
        rows = option_features(options)
        x += rows
        y += [int(o.get("id") == gold) for o in options]
    if not x or not any(y) or all(y) or len({len(r) for r in x}) != 1:
        return None
    model = GradientBoostingClassifier(
        n_estimators=60, max_depth=3, min_samples_leaf=20, learning_rate=0.1, random_state=0
    )
    model.fit(x, y)
    return Picker(model, len(x[0]))
