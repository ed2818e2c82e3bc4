"""Compactions per second the ``gated`` memory scores as it calls MemRM lite, against a base commit.

    python bench/bench_gated.py [--model results/rm/lite.pkl] [--base 23f3e89] [--repeats 3]

Without ``--model`` it builds the quick dataset (``memgym rm build --quick``) and trains a lite
model on it (``memgym rm train``) in a temp folder. Then, in this tree and in a worktree of
``--base`` (interleaved, each in a child process), it runs real gated episodes
(``bench_rm.gated_rate``: 4 tracks x 2 seeds, ``gated:inner=window(max_tokens=1000)``, caches
cleared first) and prints the candidate drops scored per CPU second of scoring (best of
``--repeats``), how many were scored and refused, and the ratio. Target: >= 5,000/s.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from base_checkout import REPO, base_checkout, run_in

TARGET = 5000.0
BASE = "23f3e89"
"""The commit before the speed work of issue #24."""

CHILD = """
import json, sys
sys.path.insert(0, "bench")
from bench_rm import gated_rate
print(json.dumps(gated_rate({model!r}, {repeats})))
"""


def quick_model() -> Path:
    """A lite MemRM trained on the quick dataset, in a temp folder."""
    folder = Path(tempfile.mkdtemp(prefix="bench-gated-"))
    memgym = [sys.executable, "-m", "memgym", "rm"]
    subprocess.run([*memgym, "build", "--quick", "--workers", "1", "--out", str(folder / "data")],
                   cwd=REPO, check=True, capture_output=True)
    subprocess.run([*memgym, "train", "--data", str(folder / "data"), "--out",
                    str(folder / "lite.pkl")], cwd=REPO, check=True, capture_output=True)
    return folder / "lite.pkl"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", help="a lite MemRM (default: train one on the quick dataset)")
    parser.add_argument("--base", default=BASE, help=f"the commit to compare with (default {BASE})")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    model = Path(args.model).resolve() if args.model else quick_model()
    trees = {"base": base_checkout(args.base), "this": REPO}
    rates: dict[str, list[float]] = {name: [] for name in trees}
    counts: dict[str, tuple[int, int]] = {}
    for _ in range(max(1, args.repeats)):
        for name, tree in trees.items():
            out = run_in(tree, ["-c", CHILD.format(model=str(model), repeats=1)])[0]
            rate, scored, refused = json.loads(out)
            rates[name].append(rate)
            counts[name] = (scored, refused)
    print(f"gated:inner=window(max_tokens=1000) with MemRM lite {model}: candidate drops scored "
          f"per CPU second of scoring, cold caches, best of {len(rates['this'])} (interleaved)")
    for name in trees:
        scored, refused = counts[name]
        label = f"base ({args.base})" if name == "base" else "this"
        print(f"  {label}: {max(rates[name]):,.0f}/s ({scored} scored, {refused} refused)")
    print(f"  ratio this / base: {max(rates['this']) / max(rates['base']):.2f}x")
    best = max(rates["this"])
    print(f"  target >= {TARGET:,.0f}/s: {'met' if best >= TARGET else 'NOT met'}")


if __name__ == "__main__":
    main()
