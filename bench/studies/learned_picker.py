"""A learned flight picker that reads catalogue rows only (never the profile): how often it finds
the flight a selection question wants, against chance.

For every selection question of the dialogue track, the rows of its catalogue (the search
event's note lines) become one example each, with features of the rows' structure alone: the
row's place in the listing, its fare and stops against the catalogue's and against its cell's
(the rows sharing its route, day and cabin), how common each of its values is in the listing,
and whether it is its cell's cheapest or fewest-stop row. A logistic regression (scikit-learn)
is trained on seeds ``--train`` to predict "this row is the gold", and on the judged seeds the
picker answers each question with its top-scored row::

    PYTHONPATH=. python bench/studies/learned_picker.py --tiers lite --train 5000-5019 \\
        --seeds 300-339
"""

from __future__ import annotations

import argparse
import statistics
from collections import Counter
from collections.abc import Sequence

from memgym.claims import parse_notes
from memgym.specs import seed_range
from memgym.tracks import get_track
from memgym.tracks.registry import stream_events

CELL = ("from_city", "to_city", "day", "cabin_class")


def catalogues(
    track_name: str, tier: str, seeds: Sequence[int]
) -> list[tuple[list[dict[str, str]], str]]:
    """(rows, gold flight) of every selection question over ``seeds``: each row a flight's
    attributes (``name`` included) as its note line lists them."""
    track = get_track(track_name)
    out = []
    for seed in seeds:
        listed: dict[str, list[dict[str, str]]] = {}
        for event in stream_events(track.generate(seed, tier)):
            q = event.question
            if q is None:
                if "search_flights returned" in event.text:
                    rows: dict[str, dict[str, str]] = {}
                    for claim in parse_notes(event.text):
                        rows.setdefault(claim.entity, {"name": claim.entity})[claim.attribute] = (
                            claim.value
                        )
                    values = list(rows.values())
                    listed[values[0]["catalogue"]] = values
                continue
            if q.kind == "selection":
                tag = q.spec["where"][0][2]
                out.append((listed[tag], str(q.answer)))
    return out


def features(rows: Sequence[dict[str, str]]) -> list[list[float]]:
    """Each row's structural features (see the module docstring)."""
    fares = [float(r["fare_usd"]) for r in rows]
    stops = [float(r["stops"]) for r in rows]
    mf, sf = statistics.fmean(fares), statistics.pstdev(fares) or 1.0
    ms, ss = statistics.fmean(stops), statistics.pstdev(stops) or 1.0
    cells: dict[tuple[str, ...], list[int]] = {}
    for i, r in enumerate(rows):
        cells.setdefault(tuple(r[a] for a in CELL), []).append(i)
    counts = {a: Counter(r[a] for r in rows) for a in CELL}
    out = []
    n = len(rows)
    for i, r in enumerate(rows):
        cell = cells[tuple(r[a] for a in CELL)]
        cell_fares = [fares[j] for j in cell]
        cell_stops = [stops[j] for j in cell]
        out.append(
            [
                i / n,
                float(i == 0),
                (fares[i] - mf) / sf,
                (stops[i] - ms) / ss,
                stops[i],
                float(fares[i] == min(cell_fares)),
                float(stops[i] == min(cell_stops)),
                float(fares[i] == max(cell_fares)),
                float(stops[i] == max(cell_stops)),
                len(cell) / n,
                float(cell.index(i) == 0),
                sum(f <= fares[i] for f in fares) / n,
                sum(s <= stops[i] for s in stops) / n,
                *(counts[a][r[a]] / n for a in CELL),
            ]
        )
    return out


def main(argv: Sequence[str] | None = None) -> int:
    from sklearn.linear_model import LogisticRegression

    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--track", default="dialogue")
    p.add_argument("--tiers", default="lite,standard,hard")
    p.add_argument("--train", default="5000-5019")
    p.add_argument("--seeds", default="300-339")
    args = p.parse_args(argv)
    for tier in args.tiers.split(","):
        x, y = [], []
        for rows, gold in catalogues(args.track, tier, list(seed_range(args.train))):
            x += features(rows)
            y += [r["name"] == gold for r in rows]
        model = LogisticRegression(max_iter=2000, class_weight="balanced").fit(x, y)
        hits, chance, total = 0, 0.0, 0
        for rows, gold in catalogues(args.track, tier, list(seed_range(args.seeds))):
            scores = model.decision_function(features(rows))
            best = max(range(len(rows)), key=lambda i: scores[i])
            hits += rows[best]["name"] == gold
            chance += 1 / len(rows)
            total += 1
        print(
            f"{args.track}/{tier}: picker {hits}/{total} = {hits / total:.3f} "
            f"(chance {chance / total:.3f})",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
