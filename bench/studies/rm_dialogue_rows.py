"""What separates HARMFUL from SAFE on the dialogue track's fact rows, read at compaction time.

    python bench/studies/rm_dialogue_rows.py [--data results/rm/data] [--model PATH] [--pstar ROWS.jsonl]

Reads the dialogue rows of ``scenario_ood.jsonl`` that drop a fact. Every signal is read from
what a model sees (the dropped spans, the kept view, the questions asked so far) with the
track's own reader (``memgym.tracks.dialogue.reader``: the agent's confirmations and note
lines) and the customer's name (whom the opening turn introduces, read before any compaction):
- what the dropped spans state: the customer's own values, those the flight searches match on
  (``REQUIRED``: the selection rules' attributes), a companion joining the party, a search's
  flight list, a correction;
- whether each dropped customer value stays in the kept view: restated (the same value, in a
  kept turn or a summary the compaction wrote), superseded (a different value of it stated
  after the dropped span, or in the new summary), only an older value kept (a value stated
  before it), or gone (nothing of it kept);
- questions asked so far, and whether one names a dropped value's person.
For each it prints the rows, the HARMFUL share with and without it and its AUROC alone, and
the AUROC of boosted trees over them all fitted on dialogue itself, whole scenarios held out (a
probe of what the text holds; no MemRM model is trained on dialogue), the same probe over lite's
own hand features (what that feature family can tell apart on this track, transfer aside) and
over both, per strategy kind; then,
for analysis only (no model may read them), the share whose dropped facts a later question's
evidence holds (``rm_entities.needed_later``), the share whose dropped values change after
the compaction (what the ceiling is told of the later stream), ``--pstar``'s Bayes ceiling (the ``--out`` of
``rm_ceiling_dialogue.py``) on the rows it covers, per strategy kind too, and ``--model``'s
AUROC beside them.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from memgym.claims import Claim
from memgym.rm.metrics import auroc
from memgym.rm.rows import Row, drops_fact, read_jsonl
from memgym.tracks.dialogue import reader
from memgym.tracks.dialogue.catalogue import LEGS

REQUIRED = frozenset(rule[2] for leg in LEGS for rule in leg.rules)
"""The customer's attributes a flight search matches on (what the selection questions need)."""


def customer(seed: int) -> str:
    """The customer of dialogue ``seed``: who the opening turn (step 0) introduces, which the
    agent has read before any compaction."""
    from memgym.tracks import get_track

    return get_track("dialogue").generate(seed).facts[0].entity


def before_order(row: Row) -> list[tuple[bool, str]]:
    """The view before the compaction in order: (dropped, text) per message."""
    return [
        (ref < 0, row["dropped"][-ref - 1]["text"] if ref < 0 else row["after"][ref])
        for ref in row["before_ref"]
    ]


Kept = list[tuple[int, list[Claim]]]
"""The kept view's claims per message, with the message's place in the view before."""


def fate(at: int, claim: Claim, kept: Kept) -> str:
    """What the kept view holds of a dropped ``claim`` (from the message at ``at``): the same
    value (restated), another value stated after it (superseded), only one stated before it
    (older kept), or nothing of its person and attribute (gone)."""
    same = [
        (j, k)
        for j, got in kept
        for k in got
        if (k.entity, k.attribute) == (claim.entity, claim.attribute)
    ]
    if any(k.value == claim.value for _, k in same):
        return "restated"
    if any(j > at for j, _ in same):
        return "superseded"
    return "older kept" if same else "gone"


def signals(row: Row, user: str) -> dict[str, float]:
    """Every signal of one row (1/0, or a count)."""
    order = before_order(row)
    dropped_at = {t: i for i, (gone, t) in enumerate(order) if gone}
    at = {t: i for i, (gone, t) in enumerate(order) if not gone}
    # a text the compaction wrote (a new summary) holds the state as of now: after everything
    kept = [(at.get(t, len(order)), reader.read(t)) for t in row["after"]]
    spans = [d for d in row["dropped"] if d.get("facts")]
    claims = [(dropped_at.get(d["text"], -1), c) for d in spans for c in reader.read(d["text"])]
    party = {c.entity for _, c in claims if c.attribute == "travels_with" and c.value == user}
    mine = [(fate(i, c, kept), c) for i, c in claims if c.entity == user]
    theirs = [fate(i, c, kept) for i, c in claims if c.entity in party]
    people = [f for f, _ in mine] + theirs
    asked = row.get("asked") or []
    named = {c.entity for _, c in claims}
    return {
        "states a customer value": float(bool(mine)),
        "states a value the searches match on": float(
            any(c.attribute in REQUIRED for _, c in mine)
        ),
        "adds a companion to the party": float(bool(party)),
        "lists flights (a search result)": float(any("|" in d["text"] for d in spans)),
        "states a correction": float(any(c.previous is not None for _, c in claims)),
        "a customer value restated in the kept view": float(any(f == "restated" for f, _ in mine)),
        "a customer value superseded in the kept view": float(
            any(f == "superseded" for f, _ in mine)
        ),
        "only an older customer value kept": float(any(f == "older kept" for f, _ in mine)),
        "a customer value gone from the view": float(any(f == "gone" for f, _ in mine)),
        "a searched-on customer value gone": float(
            any(f == "gone" and c.attribute in REQUIRED for f, c in mine)
        ),
        "a companion's value gone from the view": float("gone" in theirs),
        "every customer or companion value restated": float(
            bool(people) and all(f == "restated" for f in people)
        ),
        "customer and companion values gone (count)": float(people.count("gone")),
        "questions asked so far (count)": float(len(asked)),
        "an asked question names a dropped value's person": float(
            any(name in q["text"] for q in asked for name in named)
        ),
    }


def changed_later(rows: Sequence[Row]) -> list[bool]:
    """Whether a value a row drops is stated anew after its compaction (a change the stream
    has not reached yet: read from the regenerated scenario, analysis only)."""
    from memgym.tracks import get_track

    facts: dict[int, Any] = {}
    out = []
    for r in rows:
        seed = int(r["seed"])
        if seed not in facts:
            facts[seed] = get_track("dialogue").generate(seed).facts
        by_id = {f.id: f for f in facts[seed]}
        keys = {
            (by_id[f].entity, by_id[f].attribute) for d in r["dropped"] for f in d.get("facts", ())
        }
        out.append(any((f.entity, f.attribute) in keys and f.step > r["step"] for f in facts[seed]))
    return out


def probe(x: np.ndarray, y: np.ndarray, groups: Sequence[int], folds: int = 5) -> np.ndarray:
    """The scores of boosted trees over ``x``, each row scored by the fold that held its
    scenario out (``GroupKFold``)."""
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.model_selection import GroupKFold

    out = np.zeros(len(y))
    for train, test in GroupKFold(folds).split(x, y, groups):
        fit = HistGradientBoostingClassifier(max_leaf_nodes=15, random_state=0)
        out[test] = fit.fit(x[train], y[train]).predict_proba(x[test])[:, 1]
    return out


def per_kind(rows: Sequence[Row], y: np.ndarray, scores: np.ndarray) -> str:
    """``scores``' AUROC on the rows of each strategy kind (window, mask, summary, ...)."""
    kinds = np.asarray([str(r["strategy"]).split(":")[0] for r in rows])
    return ", ".join(
        f"{k} {auroc(y[kinds == k], scores[kinds == k]):.3f}" for k in sorted(set(kinds))
    )


def table(
    rows: Sequence[Row],
    columns: dict[str, np.ndarray],
    y: np.ndarray,
    out: Callable[[str], None] = print,
) -> None:
    """Per signal: rows with it, HARMFUL share with and without it, AUROC alone."""
    out(f"{'signal':52s} {'rows':>6s} {'HARMFUL if so':>13s} {'if not':>7s} {'AUROC':>6s}")
    for name, x in columns.items():
        on = x > 0
        yes = f"{y[on].mean():.3f}" if on.any() else "-"
        no = f"{y[~on].mean():.3f}" if (~on).any() else "-"
        out(f"{name:52s} {int(on.sum()):6d} {yes:>13s} {no:>7s} {auroc(y, x):6.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="results/rm/data")
    parser.add_argument("--model", default=None)
    parser.add_argument("--pstar", default=None, help="rows with p* (rm_ceiling_dialogue --out)")
    args = parser.parse_args()
    path = Path(args.data) / "scenario_ood.jsonl"
    if not path.is_file():
        raise SystemExit(f"no dialogue rows at {path}: build a dataset with `memgym rm build`")
    rows = [r for r in read_jsonl(path) if r.get("track") == "dialogue" and drops_fact(r)]
    users = {seed: customer(seed) for seed in sorted({int(r["seed"]) for r in rows})}
    got = [signals(r, users[int(r["seed"])]) for r in rows]
    y = np.asarray([int(r["harmful"]) for r in rows])
    print(f"dialogue fact rows: {len(rows)} ({len(users)} scenarios), HARMFUL {y.mean():.3f}")
    columns = {name: np.asarray([g[name] for g in got]) for name in got[0]}
    table(rows, columns, y)

    from rm_entities import needed_later

    need = np.asarray(needed_later(rows), dtype=float)
    print(
        f"analysis only: needed by a later question {need.mean():.3f}; HARMFUL"
        f" {y[need > 0].mean():.3f} if so, {y[need == 0].mean():.3f} if not;"
        f" AUROC of that oracle {auroc(y, need):.3f}"
    )
    x = np.column_stack(list(columns.values()))
    seeds = [int(r["seed"]) for r in rows]
    print(
        f"the signals together, boosted trees fitted on dialogue itself (5 folds, whole"
        f" scenarios held out; a probe of what the text holds, not a MemRM model): AUROC"
        f" {auroc(y, probe(x, y, seeds)):.3f}"
    )
    from memgym.rm.features import hand_features
    from memgym.rm.lite import row_parts

    hand = np.asarray([hand_features(row_parts(r)) for r in rows])
    own = probe(hand, y, seeds)
    print(
        f"lite's own hand features, the same trees fitted on dialogue itself (what the"
        f" feature family can tell apart here, transfer aside): AUROC {auroc(y, own):.3f};"
        f" per kind {per_kind(rows, y, own)}"
    )
    both = probe(np.column_stack([hand, x]), y, seeds)
    print(
        f"lite's hand features and the signals above, the same probe: AUROC"
        f" {auroc(y, both):.3f}; per kind {per_kind(rows, y, both)}"
    )
    later = np.asarray(changed_later(rows), dtype=float)
    print(
        f"analysis only: a dropped value changes after the compaction (the later stream)"
        f" {later.mean():.3f}; HARMFUL {y[later > 0].mean():.3f} if so,"
        f" {y[later == 0].mean():.3f} if not"
    )
    p = None
    if args.model:
        from memgym.rm.models import load_model

        p = np.asarray(load_model(args.model).predict(rows))
        print(f"model {args.model}: AUROC {auroc(y, p):.3f}")
        for name in (
            "a searched-on customer value gone",
            "adds a companion to the party",
            "lists flights (a search result)",
        ):
            on = columns[name] > 0
            print(
                f"  within '{name}': {auroc(y[on], p[on]):.3f} ({int(on.sum())} rows);"
                f" without: {auroc(y[~on], p[~on]):.3f}"
            )
    if args.pstar:
        import json

        pstar = {}
        with open(args.pstar, encoding="utf-8") as fh:
            for line in fh:
                item = json.loads(line)
                pstar[item["id"]] = item["pstar"]
        idx = [i for i, r in enumerate(rows) if r["id"] in pstar]
        ps = np.asarray([pstar[rows[i]["id"]] for i in idx])
        sure = (ps == 0) | (ps == 1)
        print(
            f"p* is 0 or 1 on {sure.mean():.3f} of the fact rows (every draw agrees; HARMFUL"
            f" {y[idx][sure].mean():.3f}); in between on {int((~sure).sum())}, HARMFUL"
            f" {y[idx][~sure].mean():.3f}, AUROC of p* there {auroc(y[idx][~sure], ps[~sure]):.3f}"
        )
        kinds = np.asarray([str(rows[i]["strategy"]).split(":")[0] for i in idx])
        for kind in ["all", *sorted(set(kinds))]:
            on = np.ones(len(idx), bool) if kind == "all" else kinds == kind
            pick = np.asarray(idx)[on]
            line = (
                f"Bayes ceiling p*, {kind} ({int(on.sum())} fact rows, HARMFUL"
                f" {y[pick].mean():.3f}): AUROC {auroc(y[pick], ps[on]):.3f}"
            )
            if p is not None:
                line += f"; the model on the same rows {auroc(y[pick], p[pick]):.3f}"
            print(line)


if __name__ == "__main__":
    main()
