"""Candidate MemRMs for the hard rows (those that drop a fact), chosen on the validation split.

    python bench/studies/rm_hard_rows.py [--data results/rm/data] [--model results/rm/lite.pkl] [--test]
    python bench/studies/rm_hard_rows.py --transfer [--data results/rm/data]

Fits each candidate on ``train`` and prints its validation AUROC and average precision on all
rows and on the fact rows, beside the constant and "drops a fact" baselines; the candidate with
the best validation fact-row AUROC is the choice. Only with ``--test`` are the test splits scored,
for the chosen candidate and the regression alone (whole-scenario intervals), so a test figure
never feeds a choice. Candidates:
- ``regression``: the lite regression alone (``memgym rm train --no-trees``; C from its grid on
  validation);
- ``lite``: the default ``memgym rm train``: the regression, then gradient-boosted trees over the
  hand features and its out-of-fold score, kept when validation prefers them (``--model`` reuses
  one trained so);
- ``lite-fact``: the regression fitted on the fact rows only, for the fact rows (``regression``
  for the others). It routes a row by whether it drops a fact, which reads the fact ids no
  deployed model has: its fact-row figures are those of its fact-row model, its all-row figures
  are not deployable.

``--transfer`` is a validation-only stand-in for an unseen track: for each training track, the
default lite and the regression alone are trained (every choice on validation) on the other
tracks' train and val rows, and score that track's val fact rows (AUROC, AP, base rate, mean P,
ECE); no test split is read.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from memgym.rm.evaluate import split_report
from memgym.rm.lite import train_lite
from memgym.rm.metrics import auroc, average_precision, ece
from memgym.rm.rows import Row, drops_fact, read_jsonl

TEST = ("iid", "budget_ood", "strategy_ood", "scenario_ood")


class Combined:
    """The default model for rows without a fact, ``fact_model`` for the others."""

    def __init__(self, base: Any, fact_model: Any) -> None:
        self.base, self.fact_model = base, fact_model

    def predict(self, rows: Sequence[Row]) -> list[float]:
        out = self.base.predict(rows)
        idx = [i for i, r in enumerate(rows) if drops_fact(r)]
        for i, p in zip(idx, self.fact_model.predict([rows[i] for i in idx]), strict=True):
            out[i] = p
        return out


def val_line(name: str, rows: Sequence[Row], p: Sequence[float]) -> str:
    y = np.asarray([int(r["harmful"]) for r in rows])
    pa = np.asarray(p)
    fact = np.asarray([drops_fact(r) for r in rows])
    return (
        f"{name:12s} all AUROC {auroc(y, pa):.3f} AP {average_precision(y, pa):.3f} | "
        f"fact rows AUROC {auroc(y[fact], pa[fact]):.3f} "
        f"AP {average_precision(y[fact], pa[fact]):.3f} (base {y[fact].mean():.3f})"
    )


def transfer_figures(train: Sequence[Row], val: Sequence[Row]) -> dict[str, dict[str, Any]]:
    """Leave one training track out: for each track, the lite and the regression alone fitted on
    the other tracks' train rows (choices on their val rows), scored on its val fact rows.
    ``{track: {model: {n, base, auroc, ap, mean_p, ece, trees}}}``; no test split is read."""
    out: dict[str, dict[str, Any]] = {}
    for held in sorted({str(r.get("track", "")) for r in train}):
        fit_train = [r for r in train if r.get("track") != held]
        fit_val = [r for r in val if r.get("track") != held]
        rows = [r for r in val if r.get("track") == held and drops_fact(r)]
        y = np.asarray([int(r["harmful"]) for r in rows])
        out[held] = {}
        for name, trees in (("lite", True), ("regression", False)):
            model = train_lite(fit_train, val=fit_val, trees=trees)
            p = np.asarray(model.predict(rows))
            out[held][name] = {
                "n": len(rows),
                "base": float(y.mean()),
                "auroc": auroc(y, p),
                "ap": average_precision(y, p),
                "mean_p": float(p.mean()),
                "ece": ece(y, p),
                "trees": model.choices.get("trees", "not tried"),
            }
    return out


def transfer(train: Sequence[Row], val: Sequence[Row]) -> None:
    """Print ``transfer_figures``, per held-out track and their mean."""
    start = time.process_time()
    figures = transfer_figures(train, val)
    for held, models in figures.items():
        for name, f in models.items():
            print(
                f"held-out {held:10s} {name:10s} fact rows {f['n']:5d} base {f['base']:.3f}"
                f" AUROC {f['auroc']:.3f} AP {f['ap']:.3f} mean P {f['mean_p']:.3f}"
                f" ECE {f['ece']:.3f} (trees: {f['trees']})"
            )
    for name in ("lite", "regression"):
        mean = np.mean([models[name]["auroc"] for models in figures.values()])
        print(f"mean over held-out tracks {name:10s} fact-row AUROC {mean:.3f}")
    print(f"({time.process_time() - start:.0f} s CPU)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="results/rm/data")
    parser.add_argument("--test", action="store_true", help="also score the test splits")
    parser.add_argument("--resamples", type=int, default=500)
    parser.add_argument("--model", default=None, help="a lite model trained on this data")
    parser.add_argument(
        "--transfer",
        action="store_true",
        help="leave one training track out, on train and val only",
    )
    args = parser.parse_args()
    folder = Path(args.data)
    train = list(read_jsonl(folder / "train.jsonl"))
    val = list(read_jsonl(folder / "val.jsonl"))
    if args.transfer:
        transfer(train, val)
        return
    start = time.process_time()
    if args.model:
        from memgym.rm.lite import load_lite

        lite = load_lite(args.model)
    else:
        lite = train_lite(train, val=val)
    regression = train_lite(train, val=val, trees=False)
    fact_train = [r for r in train if drops_fact(r)]
    fact_val = [r for r in val if drops_fact(r)]
    candidates: dict[str, Any] = {
        "regression": regression,
        "lite": lite,
        "lite-fact": Combined(regression, train_lite(fact_train, val=fact_val, trees=False)),
    }
    print(
        f"fitted {len(candidates)} candidates in {time.process_time() - start:.0f} s CPU"
        f" (C {regression.choices['c']}; lite: trees {lite.choices.get('trees')})"
    )
    scores = {}
    for name, model in candidates.items():
        p = model.predict(val)
        print("val " + val_line(name, val, p))
        fact = [drops_fact(r) for r in val]
        y = [int(r["harmful"]) for r in val]
        scores[name] = auroc(
            [v for v, f in zip(y, fact, strict=True) if f],
            [q for q, f in zip(p, fact, strict=True) if f],
        )
    chosen = max(scores, key=lambda k: scores[k])
    print(f"chosen on validation (fact-row AUROC): {chosen}")
    if not args.test:
        return
    for split in TEST:
        path = folder / f"{split}.jsonl"
        if not path.exists():
            continue
        rows = list(read_jsonl(path))
        for name in dict.fromkeys(["regression", chosen]):
            p = candidates[name].predict(rows)
            rep = split_report(rows, p, None, args.resamples)
            for part in ("all", "fact"):
                r = rep[part]
                print(
                    f"{split:12s} {name:10s} {part:4s} n {r['n']:6d} base {r['base_rate']:.3f}"
                    f" AUROC {r['auroc']:.3f} ({r['auroc_ci'][0]:.3f}-{r['auroc_ci'][1]:.3f})"
                    f" AP {r['ap']:.3f} ({r['ap_ci'][0]:.3f}-{r['ap_ci'][1]:.3f})"
                    f" drops-fact {r['drops_fact']['auroc']:.3f}/{r['drops_fact']['ap']:.3f}"
                )


if __name__ == "__main__":
    main()
