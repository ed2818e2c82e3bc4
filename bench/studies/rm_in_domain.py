"""What lite's own hand features can tell apart on one split, fitted on that split itself.

    python bench/studies/rm_in_domain.py --data results/rm/data --split swe_ood [--track T] [--model PATH]

Reads the split's rows that drop a fact, computes lite's 47 hand features
(``memgym.rm.features.hand_features``) and fits boosted trees on them in 5 folds that hold whole
scenarios out (``rm_dialogue_rows.probe``, grouped by the rows' ``episode``); prints the
out-of-fold AUROC overall and per strategy kind, and ``--model``'s AUROC on the same rows. A
measure of the feature family on a held-out split, not a MemRM model (MemRM never trains on one):
when even this stays below a target, no transfer of these features reaches it.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from rm_dialogue_rows import per_kind, probe

from memgym.rm.features import hand_features
from memgym.rm.lite import row_parts
from memgym.rm.metrics import auroc
from memgym.rm.rows import drops_fact, read_jsonl


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="results/rm/data")
    parser.add_argument("--split", default="scenario_ood")
    parser.add_argument("--track", default=None, help="only this track's rows")
    parser.add_argument("--model", default=None, help="a MemRM to score the same rows")
    args = parser.parse_args()
    path = Path(args.data) / f"{args.split}.jsonl"
    if not path.is_file():
        raise SystemExit(f"no split at {path}: `memgym rm build` or `memgym rm add-split` first")
    rows = [r for r in read_jsonl(path) if drops_fact(r) and args.track in (None, r.get("track"))]
    if not rows:
        raise SystemExit(
            f"no fact rows in {path}" + (f" of track {args.track}" if args.track else "")
        )
    y = np.asarray([int(r["harmful"]) for r in rows])
    if y.min() == y.max():
        raise SystemExit(f"the {len(rows)} fact rows are all of one label: no AUROC")
    scenarios = [str(r["episode"]) for r in rows]
    x = np.asarray([hand_features(row_parts(r)) for r in rows])
    scores = probe(x, y, scenarios)
    print(
        f"{args.split}{'/' + args.track if args.track else ''}: {len(rows)} fact rows of"
        f" {len(set(scenarios))} scenarios, HARMFUL {y.mean():.3f}"
    )
    print(
        f"lite's hand features, boosted trees fitted on this split (5 folds, whole scenarios"
        f" held out): AUROC {auroc(y, scores):.3f}; per kind {per_kind(rows, y, scores)}"
    )
    if args.model:
        from memgym.rm.models import load_model

        p = np.asarray(load_model(args.model).predict(rows))
        print(
            f"model {args.model} on the same rows: AUROC {auroc(y, p):.3f};"
            f" per kind {per_kind(rows, y, p)}"
        )


if __name__ == "__main__":
    main()
