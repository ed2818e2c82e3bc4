"""Long streams: generation time and peak memory of a 1M-token episode, against the same at 10k.

Run: ``python bench/bench_long_stream.py [--tracks research,codeqa] [--lengths 10k,1m]
[--memories window:max_tokens=8000 agentic:policy=strategic] [--import MODULE]``.

For each track (default: every registered track with a ``target_tokens`` parameter), length and
memory, a fresh Python process generates the scenario (``gen s``: the core events and the filler
plan), produces every event of its lazy stream once without a memory (``stream s``: the filler
made on demand), streams it through one scripted episode with that memory (``episode s``) and
reports its peak resident memory (``resource.getrusage(RUSAGE_SELF).ru_maxrss``, which covers all
three). Times are CPU seconds of that process (``time.process_time``: the machine is shared, so
wall times move with its load). The parent prints one row per run, the ratio of the longest
length to the shortest (the base measured in the same run), and checks the targets: generation
(``gen s + stream s``, CPU) <= 30 s and peak RSS <= 300 MB at every length.

The memory must not grow with the stream for the RSS figure to mean anything: ``window`` keeps a
bounded context, but every compaction records its before/after views (one record per observed
event once the window is full), so its RSS grows with the stream; ``agentic:policy=strategic``
keeps a budgeted store and no records. Both are run by default so the difference shows.
"""

from __future__ import annotations

import argparse
import importlib
import json
import resource
import subprocess
import sys
import time
from typing import Any

TARGET_GENERATE_S = 30.0
TARGET_RSS_MB = 300.0
DEFAULT_MEMORIES = ("window:max_tokens=8000", "agentic:policy=strategic")


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def child(job: dict[str, Any]) -> dict[str, Any]:
    """One measurement, run in a fresh process: generate, then stream one episode."""
    for module in job["imports"]:
        importlib.import_module(module)
    from memgym.memory import make_memory
    from memgym.reasoners import make_reasoner
    from memgym.run.episode import evaluate
    from memgym.tracks import get_track, stream_events

    track = get_track(job["track"])
    baseline = _rss_mb()
    start = time.process_time()
    scenario = track.generate(job["seed"], job["tier"], target_tokens=job["length"])
    generate_s = time.process_time() - start
    after_generate = _rss_mb()
    start = time.process_time()
    events = sum(1 for _ in stream_events(scenario))
    stream_s = time.process_time() - start
    start = time.process_time()
    memory = make_memory(job["memory"], track)
    result = evaluate(scenario, memory, make_reasoner("scripted", track))
    return {
        **job,
        "generate_s": generate_s,
        "stream_s": stream_s,
        "events": events,
        "episode_s": time.process_time() - start,
        "tokens": result.tokens_observed,
        "core_events": len(scenario.events),
        "compactions": len(result.compactions),
        "accuracy": result.accuracy,
        "rss_import_mb": baseline,
        "rss_generate_mb": after_generate,
        "rss_peak_mb": _rss_mb(),
    }


def measure(job: dict[str, Any]) -> dict[str, Any]:
    """``child(job)`` in a fresh interpreter, so peak RSS is this job's alone."""
    proc = subprocess.run(
        [sys.executable, __file__, "--child", json.dumps(job)],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"{job['track']} at {job['length']} failed:\n{proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _length(text: str) -> int:
    text = text.strip().lower()
    scale = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 1)
    return round(float(text.rstrip("km")) * scale)


def _default_tracks(tier: str | None) -> list[str]:
    from memgym.tracks import get_track, track_names

    return [n for n in track_names() if "target_tokens" in get_track(n).params(tier)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--tracks", help="comma-separated tracks (default: all with target_tokens)")
    parser.add_argument("--tier", default=None, help="tier (default: each track's default)")
    parser.add_argument("--lengths", default="10k,1m", help="stream lengths (default 10k,1m)")
    parser.add_argument(
        "--memories",
        nargs="+",
        default=list(DEFAULT_MEMORIES),
        metavar="SPEC",
        help=f"memory specs, space-separated (default: {' '.join(DEFAULT_MEMORIES)})",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--import",
        dest="imports",
        action="append",
        default=[],
        help="module to import first (registers extra tracks), repeatable",
    )
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(json.loads(args.child))))
        return 0
    for module in args.imports:
        importlib.import_module(module)
    tracks = args.tracks.split(",") if args.tracks else _default_tracks(args.tier)
    if not tracks:
        print("no registered track has a target_tokens parameter; nothing to bench")
        return 1
    lengths = sorted(_length(x) for x in args.lengths.split(","))
    memories = args.memories
    header = (
        f"{'track':10s} {'memory':28s} {'length':>9s} {'tokens':>10s} {'events':>7s} "
        f"{'gen s':>6s} {'stream s':>8s} {'episode s':>9s} {'peak MB':>8s} {'records':>8s} "
        f"{'acc':>5s}"
    )
    print(header)
    failed = False
    for name in tracks:
        for memory in memories:
            rows = []
            for length in lengths:
                job = {
                    "track": name,
                    "tier": args.tier,
                    "length": length,
                    "memory": memory,
                    "seed": args.seed,
                    "imports": args.imports,
                }
                r = measure(job)
                rows.append(r)
                made = r["generate_s"] + r["stream_s"]
                ok = made <= TARGET_GENERATE_S and r["rss_peak_mb"] <= TARGET_RSS_MB
                failed |= not ok
                print(
                    f"{name:10s} {memory:28s} {length:>9,d} {r['tokens']:>10,d} "
                    f"{r['events']:>7,d} {r['generate_s']:>6.2f} {r['stream_s']:>8.2f} "
                    f"{r['episode_s']:>9.2f} {r['rss_peak_mb']:>8.0f} "
                    f"{r['compactions']:>8d} {r['accuracy']:>5.2f}"
                    + ("" if ok else "  OVER TARGET"),
                    flush=True,
                )
            if len(rows) > 1:
                lo, hi = rows[0], rows[-1]
                print(
                    f"{'':39s} ratio {hi['length'] / lo['length']:.0f}x tokens: generate "
                    f"{hi['generate_s'] / max(lo['generate_s'], 1e-9):.1f}x, stream "
                    f"{hi['stream_s'] / max(lo['stream_s'], 1e-9):.1f}x, episode "
                    f"{hi['episode_s'] / max(lo['episode_s'], 1e-9):.1f}x, peak RSS "
                    f"{hi['rss_peak_mb'] / lo['rss_peak_mb']:.2f}x"
                )
    print(
        f"targets: generation (gen + stream) <= {TARGET_GENERATE_S:.0f} s and peak RSS <= "
        f"{TARGET_RSS_MB:.0f} MB: " + ("FAILED" if failed else "met")
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
