"""Transfer validation for the lite MemRM: every choice made on the training tracks only.

    python bench/studies/rm_transfer.py [--data results/rm/data] [--weights 0 0.25 0.5 1] [--no-trees]

An unseen track cannot be looked at to choose a model, so this stands in for it: for each
training track, ``train_lite`` is fitted on the other tracks' ``train`` rows (C, trees and
calibration chosen on their ``val`` rows) and scores the held-out track's ``val`` fact rows
(leave one training track out); the mean and the worst of those AUROCs are the transfer figure.
Beside it, the usual IID validation: fitted on every training track, scored on all ``val`` fact
rows (the rows its own choices were made on), overall and per track. Each fit is scored at every
vote weight of ``--weights`` (``lite.Vote``: only the weight of the blend changes, so one fit per
held-out track serves them all; weight 0 is the fitted score alone). No test split is read.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from memgym.rm.lite import VOTE_WEIGHT, train_lite
from memgym.rm.metrics import auroc
from memgym.rm.rows import Row, drops_fact, read_jsonl

KEEP = ("brief", "after", "dropped", "asked", "track", "episode", "strategy", "harmful")


def lean_rows(path: Path) -> Iterator[Row]:
    """The rows of a split with only what training reads, their texts shared (consecutive
    compactions keep the same messages), so the training split fits in memory many times over."""
    pool: dict[str, str] = {}

    def same(text: str) -> str:
        return pool.setdefault(text, text)

    for row in read_jsonl(path):
        lean = {k: row[k] for k in KEEP if k in row}
        lean["brief"] = same(str(row.get("brief", "")))
        lean["after"] = [same(t) for t in row["after"]]
        lean["dropped"] = [
            dict(d, text=same(d["text"])) if isinstance(d, dict) else same(d)
            for d in row["dropped"]
        ]
        yield lean


def _scores(model: Any, rows: Sequence[Row], weights: Sequence[float]) -> dict[float, Any]:
    """The model's uncalibrated score of ``rows`` at every vote weight."""
    from memgym.rm.lite import row_parts

    parts = [row_parts(r) for r in rows]
    base = model.vote
    out = {}
    for w in weights:
        model.vote = replace(base, weight=w) if base is not None and w > 0 else None
        out[w] = np.asarray(model.scores(parts))
    model.vote = base
    return out


def transfer_figures(
    train: Sequence[Row],
    val: Sequence[Row],
    weights: Sequence[float],
    trees: bool = True,
    c: Sequence[float] | None = None,
) -> dict[str, dict[float, float]]:
    """``{held-out track: {weight: val fact-row AUROC}}`` for each training track, and
    ``{"iid": ..., "iid:<track>": ...}`` for the model fitted on all of them."""
    vote = max(weights) if max(weights) > 0 else VOTE_WEIGHT
    out: dict[str, dict[float, float]] = {}
    tracks = sorted({str(r.get("track", "")) for r in train})
    for held in [*tracks, None]:
        fit_train = [r for r in train if r.get("track") != held]
        fit_val = [r for r in val if r.get("track") != held]
        rows = [r for r in val if (held is None or r.get("track") == held) and drops_fact(r)]
        model = train_lite(fit_train, val=fit_val, trees=trees, vote=vote, grid=c)
        y = np.asarray([int(r["harmful"]) for r in rows])
        scored = _scores(model, rows, weights)
        if held is not None:
            out[held] = {w: auroc(y, s) for w, s in scored.items()}
            continue
        out["iid"] = {w: auroc(y, s) for w, s in scored.items()}
        track_of = np.asarray([str(r.get("track", "")) for r in rows])
        for t in tracks:
            mine = track_of == t
            out[f"iid:{t}"] = {w: auroc(y[mine], s[mine]) for w, s in scored.items()}
        out["vote"] = {w: float(len(model.vote.features)) if model.vote else 0.0 for w in weights}
    return out


def report(figures: dict[str, dict[float, float]], weights: Sequence[float]) -> list[str]:
    """One line per weight: the transfer mean and worst, each held-out track, the IID figures."""
    held = sorted(k for k in figures if ":" not in k and k not in ("iid", "vote"))
    iid = sorted(k for k in figures if k.startswith("iid:"))
    lines = []
    for w in weights:
        loto = [figures[t][w] for t in held]
        lines.append(
            f"vote weight {w:<5g} transfer fact-row AUROC mean {np.mean(loto):.3f}"
            f" worst {min(loto):.3f} ("
            + ", ".join(f"{t} {figures[t][w]:.3f}" for t in held)
            + f") | IID val {figures['iid'][w]:.3f} ("
            + ", ".join(f"{k[4:]} {figures[k][w]:.3f}" for k in iid)
            + ")"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="results/rm/data")
    parser.add_argument("--weights", type=float, nargs="+", default=[0.0, 0.125, 0.25, 0.5, 1.0])
    parser.add_argument("--no-trees", action="store_true")
    parser.add_argument("--c", type=float, nargs="+", default=None)
    args = parser.parse_args()
    folder = Path(args.data)
    start = time.process_time()
    train = list(lean_rows(folder / "train.jsonl"))
    val = list(lean_rows(folder / "val.jsonl"))
    figures = transfer_figures(train, val, args.weights, not args.no_trees, args.c)
    print("\n".join(report(figures, args.weights)))
    print(
        f"voting features: {figures['vote'][args.weights[-1]]:.0f};"
        f" {time.process_time() - start:.0f} s CPU"
    )


if __name__ == "__main__":
    main()
