"""Per-track scenario generation time against a base commit, and byte-identical scenarios.

    python bench/bench_generation_base.py [--base REV] [--seeds 30] [--repeats 3]
        [--tracks entities,research,codeqa,dialogue] [--tiers standard,hard]

For each track and tier, a child process under this tree and one under a worktree of ``--base``
(interleaved, ``--repeats`` rounds) generate seeds 0..N-1; each seed's CPU time
(``time.process_time``) is the fastest over the rounds, and the bench prints the median per
scenario in each tree, their ratio, this tree's median calibrated by the reference workload
measured in the same run (``bench/reference.py``), and whether a sha256 over every scenario's
JSON is the same in both trees (the scenarios are byte-identical). The verdict is the ratio to
the base: issue #47 dropped the absolute targets (1 ms standard, 3 ms hard; generation is not
where a user waits).
"""

from __future__ import annotations

import argparse
import json
import statistics

from base_checkout import REPO, base_checkout, run_in
from reference import calibrated, reference_ms

BASE = "27b49a3"
"""The commit before round 3's generation work (issue #24: main when round 3 started)."""

CHILD = """
import hashlib, json, time
from memgym.tracks import get_track
track = get_track({track!r})
times, digest = [], hashlib.sha256()
for seed in range({seeds}):
    start = time.process_time()
    scenario = track.generate(seed, {tier!r})
    times.append(time.process_time() - start)
    digest.update(scenario.model_dump_json().encode())
print(json.dumps({{"times": times, "sha": digest.hexdigest()}}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default=BASE, help=f"the commit to compare with ({BASE})")
    parser.add_argument("--seeds", type=int, default=30)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--tracks", default="entities,research,codeqa,dialogue")
    parser.add_argument("--tiers", default="standard,hard")
    args = parser.parse_args()
    trees = {"base": base_checkout(args.base), "this": REPO}
    print(
        f"generation, CPU ms per scenario (median over {args.seeds} seeds, each the fastest of "
        f"{args.repeats} interleaved rounds); base {args.base}"
    )
    print(f"{'track/tier':<20} {'base':>8} {'this':>8} {'ratio':>7} {'calib.':>7}  identical")
    for track in args.tracks.split(","):
        for tier in args.tiers.split(","):
            code = CHILD.format(track=track, tier=tier, seeds=args.seeds)
            best: dict[str, list[float]] = {}
            sha: dict[str, str] = {}
            references = [reference_ms()]
            for _ in range(max(1, args.repeats)):
                for name, tree in trees.items():
                    out = json.loads(run_in(tree, ["-c", code])[0])
                    sha[name] = out["sha"]
                    prev = best.get(name, [float("inf")] * args.seeds)
                    best[name] = [min(a, b) for a, b in zip(prev, out["times"])]
                references.append(reference_ms())
            ms = {name: 1000 * statistics.median(t) for name, t in best.items()}
            calib = calibrated(ms["this"], statistics.median(references))
            print(
                f"{track + '/' + tier:<20} {ms['base']:8.2f} {ms['this']:8.2f} "
                f"{ms['base'] / ms['this']:6.2f}x {calib:7.2f}  {sha['base'] == sha['this']}"
            )


if __name__ == "__main__":
    main()
