"""Compactions per second the ``gated`` memory scores as it calls MemRM lite, against a base commit.

    python bench/bench_gated.py [--model results/rm/lite.pkl] [--base 23f3e89]
        [--base-model PATH] [--threshold 0.5] [--repeats 3]

Without ``--model`` it builds the quick dataset (``memgym rm build --quick``) and trains a lite
model on it (``memgym rm train``) in a temp folder: the bench needs no model file but the one it
makes. ``--base none`` measures this tree alone (no worktree). Then, in this tree and in a worktree of
``--base`` (interleaved, each in a child process), it runs real gated episodes
(4 tracks x 2 seeds, ``gated:inner=window(max_tokens=1000)``, caches cleared first), recording
every call the gated memory makes to MemRM, and prints the candidate drops scored per CPU second
of scoring inside the episodes, and for the same calls replayed in order from cold caches (best
of 3; the replay is the steadier figure: inside episodes each call is a few hundred microseconds
between other work on a loaded machine), how many were scored and refused, and the ratios.
``--threshold 1`` gates with a model that never refuses: every compaction goes through, one
candidate per call (the slowest case). Target: >= 3,000/s inside the episodes, calibrated, for the
lite model this bench trains on the quick dataset (what a clean checkout reproduces: 3,557/s and
4,642/s calibrated in two runs at load 8-15, 2026-11-26). The former 5,000/s was met only by a
model trained on a full dataset in a temp folder, which no bench rebuilds. What each process does once is
printed beside it: loading the model (``model_score``, CPU; scikit-learn imported before it and
not counted; with trees compiled then when the file holds no code for them), the first call
(inside the figure), and the inside rate with the load counted; and this tree's load of the same
model saved again by this tree (which stores the trees' compiled code with it). A model pickled
by newer code may not load under the base tree (a class
it does not have): ``--base-model`` gives the base tree a model of its own (e.g. one its own
``memgym rm train`` made); when the base cannot load its model, the bench says so and prints
this tree's figures alone.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from base_checkout import REPO, base_checkout, run_in
from reference import QUIET_MS, reference_ms

TARGET = 3000.0
"""Candidate drops scored per CPU second inside the episodes, calibrated (see above)."""
BASE = "23f3e89"
"""The commit before the speed work of issue #24."""

LOAD = """
import json, statistics, time
start = time.process_time()
import sklearn.ensemble, sklearn.linear_model  # what unpickling a lite model imports
imports = time.process_time() - start
from memgym.memory import make_memory
from memgym.memory.gated import model_score
from memgym.reasoners.scripted import ScriptedReasoner
from memgym.rm.features import clear_caches
from memgym.run.episode import run_episode
from memgym.tracks import get_track

start = time.process_time()
model_score("{model}")  # once per process: the gated memories below reuse it
load = time.process_time() - start
"""
"""The imports, then loading the model (CPU), as each child does it."""

CHILD = (
    LOAD
    + """
calls, spent, refused, calls_first = [], 0.0, 0, 0.0
clear_caches()
for name in ("entities", "research", "codeqa", "dialogue"):
    track = get_track(name)
    for seed in (100, 101):
        memory = make_memory("gated:inner=window(max_tokens=1000),model={model},threshold={threshold}", track)
        score = memory.score

        def record(brief, candidates, kept, asked, score=score):
            global spent, calls_first
            calls.append((score, (brief, [list(c) for c in candidates], list(kept), list(asked))))
            start = time.process_time()
            out = score(brief, candidates, kept, asked)
            spent += time.process_time() - start
            if len(calls) == 1:
                calls_first = spent
            return out

        memory.score = record
        run_episode(track.generate(seed), memory, ScriptedReasoner(track))
        refused += memory.refused
scored = sum(len(a[1]) for _, a in calls)
replays = []
for _ in range({repeats}):
    clear_caches()
    start = time.process_time()
    for score, args in calls:
        score(*args)
    replays.append(scored / (time.process_time() - start))
print(json.dumps([scored / spent, max(replays), statistics.median(replays), scored, refused,
                  load, calls_first, imports]))
"""
)


def quick_model() -> Path:
    """A lite MemRM trained on the quick dataset, in a temp folder."""
    folder = Path(tempfile.mkdtemp(prefix="bench-gated-"))
    memgym = [sys.executable, "-m", "memgym", "rm"]
    subprocess.run(
        [*memgym, "build", "--quick", "--workers", "1", "--out", str(folder / "data")],
        cwd=REPO,
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [*memgym, "train", "--data", str(folder / "data"), "--out", str(folder / "lite.pkl")],
        cwd=REPO,
        check=True,
        capture_output=True,
    )
    return folder / "lite.pkl"


def stored_load(model: Path, repeats: int) -> float | None:
    """CPU seconds this tree takes to load ``model`` saved again by this tree's ``save`` (with
    what it stores beside the model), median of ``repeats`` processes; None if it cannot save."""
    copy = Path(tempfile.mkdtemp(prefix="bench-gated-")) / "resaved.pkl"
    try:
        run_in(
            REPO,
            [
                "-c",
                (
                    "from memgym.rm.lite import load_lite; "
                    f"load_lite({str(model)!r}).save({str(copy)!r})"
                ),
            ],
        )
    except SystemExit:
        return None
    return statistics.median(
        float(run_in(REPO, ["-c", LOAD.format(model=copy) + "print(load)"])[0])
        for _ in range(repeats)
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", help="a lite MemRM (default: train one on the quick dataset)")
    parser.add_argument(
        "--base",
        default=BASE,
        help=f"the commit to compare with (default {BASE}; none: this tree alone)",
    )
    parser.add_argument(
        "--base-model", help="the model the base tree scores with (default: the same as --model)"
    )
    parser.add_argument(
        "--threshold",
        type=float,
        default=0.5,
        help="refuse at P(HARMFUL) >= this (1: never refuses)",
    )
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    model = Path(args.model).resolve() if args.model else quick_model()
    models = {"base": Path(args.base_model).resolve() if args.base_model else model, "this": model}
    trees = (
        {"this": REPO} if args.base == "none" else {"base": base_checkout(args.base), "this": REPO}
    )
    inside: dict[str, list[float]] = {name: [] for name in trees}
    replay: dict[str, list[float]] = {name: [] for name in trees}
    once: dict[str, list[tuple[float, float, float, float]]] = {name: [] for name in trees}
    counts: dict[str, tuple[int, int]] = {}
    references = [reference_ms()]
    for _ in range(max(1, args.repeats)):
        references.append(reference_ms())
        for name, tree in list(trees.items()):
            try:
                out = run_in(
                    tree,
                    [
                        "-c",
                        CHILD.format(model=str(models[name]), repeats=3, threshold=args.threshold),
                    ],
                )[0]
            except SystemExit as failed:
                if name != "base":
                    raise
                print(
                    f"base ({args.base}) cannot score with {models['base']}: "
                    f"{str(failed).strip().splitlines()[-1]}; pass --base-model, a model the "
                    "base tree's own `memgym rm train` made. This tree's figures alone:"
                )
                del trees["base"]
                continue
            rate, best, _, scored, refused, load, first, imports = json.loads(out)
            inside[name].append(rate)
            replay[name].append(best)
            once[name].append((load, first, imports, scored / (scored / rate + load)))
            counts[name] = (scored, refused)
    print(
        f"gated:inner=window(max_tokens=1000),threshold={args.threshold}, 4 tracks x 2 seeds, "
        f"MemRM lite {model}; "
        f"candidate drops scored per CPU second of scoring, cold caches, "
        f"{len(inside['this'])} runs per tree, interleaved"
    )
    for name in trees:
        scored, refused = counts[name]
        label = f"base ({args.base})" if name == "base" else "this"
        print(
            f"  {label}: {scored} scored, {refused} refused; inside the episodes "
            f"{max(inside[name]):,.0f}/s best, {statistics.median(inside[name]):,.0f}/s median; "
            f"the same calls replayed in order {max(replay[name]):,.0f}/s best, "
            f"{statistics.median(replay[name]):,.0f}/s median"
        )
        load, first, imports, with_load = (statistics.median(v) for v in zip(*once[name]))
        print(
            f"    once per process: loading the model {load * 1e3:.1f} ms (scikit-learn's "
            f"import before it, {imports * 1e3:.0f} ms, not counted), the first call "
            f"{first * 1e3:.1f} ms (inside the figure above); inside the episodes with the "
            f"load counted: {with_load:,.0f}/s (medians)"
        )
    if "base" in trees:
        ratio_in = statistics.median(inside["this"]) / statistics.median(inside["base"])
        ratio_re = statistics.median(replay["this"]) / statistics.median(replay["base"])
        print(f"  ratio this / base (medians): inside {ratio_in:.2f}x, replayed {ratio_re:.2f}x")
    stored = stored_load(model, max(1, args.repeats))
    if stored is not None:
        rate = statistics.median(inside["this"])
        scored = counts["this"][0]
        print(
            f"  this, the same model saved again by this tree (with its trees' compiled code): "
            f"loading it {stored * 1e3:.1f} ms (median); inside the episodes with that load "
            f"counted: {scored / (scored / rate + stored):,.0f}/s"
        )
    reference = statistics.median([*references, reference_ms()])
    rate = statistics.median(inside["this"]) * reference / QUIET_MS
    print(
        f"  reference workload {reference:.2f} ms CPU in this run (quiet machine {QUIET_MS} ms): "
        f"inside the episodes {rate:,.0f}/s calibrated (median)"
    )
    print(
        f"  target >= {TARGET:,.0f}/s as the gated memory calls it (inside the episodes, "
        f"median, calibrated): {'met' if rate >= TARGET else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
