"""Does a MemRM rank the training strategies as replay does, on the validation split?

    python bench/studies/rm_val_rank.py --model results/rm/lite.pkl [--data results/rm/trainval]
        [--split val]

Per track of the split: each strategy's replay HARMFUL compactions per episode and the model's
summed P(HARMFUL) per episode, and Kendall's tau between the two over the strategies; then the
mean tau over the tracks. The validation stand-in for ``memgym rm rank --matched`` (a model that
sums high P over a strategy that compacts often ranks it too harmful), read to choose features
without the ranking test's seeds (docs/rm.md, "Measured figures"). No test split is read unless
named.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from memgym.rm.rows import Row, read_jsonl
from memgym.rmdata.rank import kendall_tau


def strategy_harms(
    rows: Sequence[Row], probs: Sequence[float]
) -> dict[str, dict[str, tuple[float, float]]]:
    """``{track: {strategy: (replay HARMFUL per episode, summed P per episode)}}``."""
    sums: dict[tuple[str, str], list[float]] = {}
    episodes: dict[tuple[str, str], set[str]] = {}
    for row, p in zip(rows, probs, strict=True):
        key = (str(row.get("track", "")), str(row.get("strategy", "")))
        total = sums.setdefault(key, [0.0, 0.0])
        total[0] += int(row["harmful"])
        total[1] += p
        episodes.setdefault(key, set()).add(str(row.get("episode", "")))
    out: dict[str, dict[str, tuple[float, float]]] = {}
    for (track, strategy), (harmful, predicted) in sorted(sums.items()):
        n = len(episodes[(track, strategy)])
        out.setdefault(track, {})[strategy] = (harmful / n, predicted / n)
    return out


def track_taus(harms: dict[str, dict[str, tuple[float, float]]]) -> dict[str, float]:
    """Kendall's tau per track between replay's and the model's per-episode harms."""
    return {
        track: kendall_tau([r for r, _ in per.values()], [p for _, p in per.values()])
        for track, per in harms.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="results/rm/lite.pkl")
    parser.add_argument("--data", default="results/rm/trainval")
    parser.add_argument("--split", default="val")
    args = parser.parse_args()
    from memgym.rm.models import load_model

    rows = list(read_jsonl(Path(args.data) / f"{args.split}.jsonl"))
    harms = strategy_harms(rows, load_model(args.model).predict(rows))
    for track, per in harms.items():
        for strategy, (replay, predicted) in per.items():
            print(f"{track:10s} {strategy:50s} replay/ep {replay:6.2f} sum P/ep {predicted:6.2f}")
    taus = track_taus(harms)
    print(
        " ".join(f"{t} {v:.3f}" for t, v in taus.items()),
        f"| mean tau {sum(taus.values()) / len(taus):.3f}",
    )


if __name__ == "__main__":
    main()
