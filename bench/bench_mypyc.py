"""What compiling a track's generator with mypyc buys: generation time, pure Python against compiled.

    python bench/bench_mypyc.py [--track entities] [--modules world,values,...] [--seeds 30]
        [--repeats 3] [--tiers standard,hard]

Makes a checkout of HEAD in a temporary folder, compiles the named modules of
``memgym/tracks/TRACK/`` there with mypyc (mypy's compiler; needs a C compiler and the Python
headers), then generates seeds 0..N-1 in a child process under each tree, interleaved, and prints
per tier the median CPU ms per scenario (each seed's fastest of ``--repeats``), the ratio, and
whether a sha256 over every scenario's JSON is the same in both trees (mypyc coerces an ``int``
passed where ``float`` is annotated, so a mis-annotated value shows up as ``108.0``).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

from base_checkout import REPO, base_checkout, run_in
from bench_generation_base import CHILD

MODULES = {
    "entities": "fast,world,values,render,assemble,questions,names,mix,asking,memos",
}
"""The modules of a track's generation path that mypyc compiles as they are."""


def compile_tree(tree: Path, track: str, modules: list[str]) -> None:
    """Compile ``modules`` of ``track`` in place under ``tree`` and check they import compiled."""
    files = [f"memgym/tracks/{track}/{m}.py" for m in modules]
    done = subprocess.run(
        [sys.executable, "-m", "mypyc", *files],
        cwd=tree,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"mypyc failed:\n{done.stdout[-3000:]}{done.stderr[-2000:]}")
    probe = f"import memgym.tracks.{track}.{modules[0]} as m; print(m.__file__)"
    where, _ = run_in(tree, ["-c", probe])
    if not where.strip().endswith(".so"):
        raise SystemExit(f"the compiled module does not import: {where.strip()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--track", default="entities")
    parser.add_argument("--modules", default=None, help="comma-separated (default: per track)")
    parser.add_argument("--seeds", type=int, default=30)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--tiers", default="standard,hard")
    args = parser.parse_args()
    modules = (args.modules or MODULES.get(args.track, "")).split(",")
    if modules == [""]:
        raise SystemExit(f"no default modules for {args.track!r}: pass --modules")
    compiled = base_checkout("HEAD")
    compile_tree(compiled, args.track, modules)
    trees = {"python": REPO, "mypyc": compiled}
    print(f"{args.track}: {len(modules)} modules compiled ({', '.join(modules)})")
    print(f"{'tier':10s} {'python ms':>10s} {'mypyc ms':>10s} {'ratio':>7s}  identical")
    for tier in args.tiers.split(","):
        code = CHILD.format(track=args.track, seeds=args.seeds, tier=tier)
        best: dict[str, list[float]] = {}
        shas: dict[str, set[str]] = {name: set() for name in trees}
        for _ in range(args.repeats):
            for name, tree in trees.items():
                out, _ = run_in(tree, ["-c", code])
                row = json.loads(out)
                shas[name].add(row["sha"])
                times = row["times"]
                best[name] = [min(a, b) for a, b in zip(best.get(name, times), times, strict=True)]
        ms = {name: statistics.median(t) * 1e3 for name, t in best.items()}
        same = shas["python"] == shas["mypyc"]
        print(
            f"{tier:10s} {ms['python']:10.2f} {ms['mypyc']:10.2f} "
            f"{ms['python'] / ms['mypyc']:6.2f}x  {same}"
        )


if __name__ == "__main__":
    main()
