"""Generation plus one full pass over the stream, per scenario, against a base commit.

    python bench/bench_generation_stream.py [--base REV] [--tracks dialogue,codeqa]
        [--tiers standard,hard] [--seeds 30] [--repeats 2]

``bench_generation_base.py`` times ``generate`` alone; a scenario's filler is generated when its
stream is read, so a change could look faster by moving work from one to the other. This times
both: for each track and tier, a child process under this tree and one under a worktree of
``--base`` (interleaved, ``--repeats`` rounds) generate seeds 0..N-1 and iterate
``stream_events`` over each; it prints the median CPU ms per scenario (each seed's fastest
round) of ``generate`` and of ``generate`` + the stream in each tree, and whether a sha256 over
every streamed event's JSON is the same in both trees.
"""

from __future__ import annotations

import argparse
import json
import statistics

from base_checkout import REPO, base_checkout, run_in

BASE = "27b49a3"
"""The commit before round 3 of issue #24's generation work."""

CHILD = """
import hashlib, json, time
from memgym.tracks import get_track, stream_events
track = get_track({track!r})
gen, full, digest = [], [], hashlib.sha256()
for seed in range({seeds}):
    start = time.process_time()
    scenario = track.generate(seed, {tier!r})
    made = time.process_time()
    events = list(stream_events(scenario))
    full.append(time.process_time() - start)
    gen.append(made - start)
    for event in events:
        digest.update(event.model_dump_json().encode())
print(json.dumps({{"gen": gen, "full": full, "sha": digest.hexdigest()}}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default=BASE, help=f"the commit to compare with ({BASE})")
    parser.add_argument("--tracks", default="dialogue,codeqa")
    parser.add_argument("--tiers", default="standard,hard")
    parser.add_argument("--seeds", type=int, default=30)
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    trees = {"base": base_checkout(args.base), "this": REPO}
    print(
        f"CPU ms per scenario (median over {args.seeds} seeds, each the fastest of "
        f"{args.repeats} interleaved rounds); base {args.base}"
    )
    print(f"{'track/tier':<20} {'generate base/this':>20} {'+ stream base/this':>20}  identical")
    for track in args.tracks.split(","):
        for tier in args.tiers.split(","):
            code = CHILD.format(track=track, tier=tier, seeds=args.seeds)
            best: dict[str, dict[str, list[float]]] = {}
            sha: dict[str, str] = {}
            for _ in range(max(1, args.repeats)):
                for name, tree in trees.items():
                    out = json.loads(run_in(tree, ["-c", code])[0])
                    sha[name] = out["sha"]
                    prev = best.setdefault(name, {})
                    for key in ("gen", "full"):
                        old = prev.get(key, [float("inf")] * args.seeds)
                        prev[key] = [min(a, b) for a, b in zip(old, out[key])]
            ms = {
                (name, key): 1000 * statistics.median(times)
                for name, runs in best.items()
                for key, times in runs.items()
            }
            gen = f"{ms['base', 'gen']:.2f} / {ms['this', 'gen']:.2f}"
            full = f"{ms['base', 'full']:.2f} / {ms['this', 'full']:.2f}"
            print(f"{track + '/' + tier:<20} {gen:>20} {full:>20}  {sha['base'] == sha['this']}")


if __name__ == "__main__":
    main()
