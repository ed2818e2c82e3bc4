"""Why a track's fact rows are hard for the lite MemRM, and which tree form validation prefers.

    python bench/studies/rm_entities.py [--data results/rm/data] [--model results/rm/lite.pkl]
                                [--track entities] [--forms]

Reads only ``train`` and ``val`` (no test split). On the track's ``val`` fact rows it prints the
HARMFUL rate by questions asked so far and by what is dropped (a short value span: a correction
or status note, at most ``SHORT`` sentences stating a number; or long profiles only), and, for
analysis only (no model may read it), the share of rows whose dropped facts a *later* question's
evidence holds, regenerated from the scenario; then ``--model``'s AUROC overall and within each
count of questions asked. With ``--forms`` it fits, on ``train``, the trees the lite model can
use (``trees.py``) over the hand features and the regression's out-of-fold score (the stacked
form) and over the hand features alone with 15 and 31 leaves plus a share of the regression's
score, and prints each one's validation fact-row AUROC, pooled and per track.
"""

from __future__ import annotations

import argparse
import re
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from memgym.rm.metrics import auroc
from memgym.rm.rows import Row, drops_fact, read_jsonl

SHORT = 4
"""Sentences stating a number, at most, of a short value span."""
_SENTENCE = re.compile(r"(?<=[.!?;])\s+|\n")


def value_sentences(text: str) -> int:
    """Sentences of ``text`` that state a number."""
    return sum(bool(re.search(r"\d", s)) for s in _SENTENCE.split(text))


def needed_later(rows: Sequence[Row]) -> list[bool]:
    """Whether a question after each row's compaction has a dropped fact as evidence (read from
    the regenerated scenario: analysis only)."""
    from memgym.tracks.registry import get_track

    later: dict[tuple[str, int], list[tuple[int, set[str]]]] = {}
    out = []
    for r in rows:
        key = (str(r["track"]), int(r["seed"]))
        if key not in later:
            scenario = get_track(key[0]).generate(key[1])
            later[key] = [
                (e.step, set(e.question.evidence))
                for e in scenario.events
                if e.question is not None
            ]
        dropped = {f for d in r["dropped"] for f in d.get("facts", ())}
        out.append(any(step > r["step"] and dropped & ev for step, ev in later[key]))
    return out


def why(rows: Sequence[Row], p: Any) -> None:
    """HARMFUL rates by group, and the model within each count of questions asked."""
    y = np.asarray([int(r["harmful"]) for r in rows])
    asked = np.asarray([len(r.get("asked") or ()) for r in rows])
    short = np.asarray(
        [
            any(0 < value_sentences(d["text"]) <= SHORT for d in r["dropped"] if d.get("facts"))
            for r in rows
        ]
    )
    need = np.asarray(needed_later(rows))
    print(
        f"{len(rows)} fact rows, HARMFUL {y.mean():.3f}; needed by a later question"
        f" {need.mean():.3f}: HARMFUL {y[need].mean():.3f} if so, {y[~need].mean():.3f} if not"
        f" (AUROC of that oracle {auroc(y, need.astype(float)):.3f})"
    )
    print(
        f"drops a short value span (<= {SHORT} value sentences): {short.sum()} rows, HARMFUL"
        f" {y[short].mean():.3f}; long spans only: {(~short).sum()}, {y[~short].mean():.3f}"
    )
    print(f"questions asked so far, alone: AUROC {auroc(y, -asked.astype(float)):.3f}")
    if p is not None:
        print(
            f"model AUROC {auroc(y, p):.3f}; on the oracle 'needed later'"
            f" {auroc(need.astype(int), p):.3f}"
        )
    groups: dict[int, list[int]] = defaultdict(list)
    for i, a in enumerate(asked):
        groups[int(a)].append(i)
    for a in sorted(groups):
        idx = np.asarray(groups[a])
        within = auroc(y[idx], p[idx]) if p is not None and 0 < y[idx].sum() < len(idx) else None
        print(
            f"  asked {a:2d}: {len(idx):5d} rows, HARMFUL {y[idx].mean():.3f}, needed later"
            f" {need[idx].mean():.3f}" + (f", model AUROC within {within:.3f}" if within else "")
        )


def forms(folder: Path, seed: int = 0) -> None:
    """Validation fact-row AUROC of each tree form, pooled and per track (C 0.5, the value
    validation chose on the current dataset)."""
    import sklearn.linear_model as linear
    from rm_transfer import lean_rows

    from memgym.rm.lite import FOLDS, LiteModel, _episode_folds, read_features, row_parts
    from memgym.rm.trees import HAND_TREE_PARAMS, TREE_PARAMS, fit_trees

    def read(rows: Sequence[Row]) -> tuple[Any, Any, Any, Any, Any]:
        got = read_features([row_parts(r) for r in rows])
        return (
            got,
            np.asarray([h for h, _ in got]),
            np.asarray([int(r["harmful"]) for r in rows]),
            np.asarray([drops_fact(r) for r in rows]),
            np.asarray([str(r.get("track")) for r in rows]),
        )

    train = list(lean_rows(folder / "train.jsonl"))
    val = list(lean_rows(folder / "val.jsonl"))
    rt, ht, yt, _, _ = read(train)
    rv, hv, yv, fv, tv = read(val)
    scale = ht.std(axis=0)
    model = LiteModel(list(ht.mean(axis=0)), list(np.where(scale > 0, scale, 1.0)), None, (1, 0))
    xt, xv = model.assemble(rt), model.assemble(rv)

    def fit(idx: Any) -> Any:
        return linear.LogisticRegression(
            C=0.5, solver="liblinear", max_iter=2000, random_state=seed
        ).fit(xt[idx], yt[idx])

    fold = _episode_folds(train, seed)
    oof = np.zeros(len(train))
    for k in range(FOLDS):
        oof[fold == k] = fit(fold != k).decision_function(xt[fold == k])
    reg = fit(np.arange(len(train))).decision_function(xv)

    def line(name: str, s: Any) -> None:
        print(
            f"{name:36s} val fact rows {auroc(yv[fv], s[fv]):.3f} ("
            + ", ".join(
                f"{t} {auroc(yv[fv & (tv == t)], s[fv & (tv == t)]):.3f}" for t in sorted(set(tv))
            )
            + f"); all rows {auroc(yv, s):.3f}",
            flush=True,
        )

    line("regression", reg)
    stacked = fit_trees(np.column_stack([ht, oof]), yt, seed)
    line("stacked trees (15 leaves)", stacked.decision_function(np.column_stack([hv, reg])))
    for params in (TREE_PARAMS, HAND_TREE_PARAMS):
        score = fit_trees(ht, yt, seed, params).decision_function(hv)
        for share in (0.0, 0.25, 0.5, 1.0):
            line(
                f"hand trees ({params['max_leaf_nodes']} leaves) + {share:g} x reg",
                score + share * reg,
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="results/rm/data")
    parser.add_argument("--model", default=None)
    parser.add_argument("--track", default="entities")
    parser.add_argument("--forms", action="store_true")
    args = parser.parse_args()
    folder = Path(args.data)
    rows = [
        r
        for r in read_jsonl(folder / "val.jsonl")
        if r.get("track") == args.track and drops_fact(r)
    ]
    p = None
    if args.model:
        from memgym.rm.models import load_model

        p = np.asarray(load_model(args.model).predict(rows))
    why(rows, p)
    if args.forms:
        forms(folder)


if __name__ == "__main__":
    main()
