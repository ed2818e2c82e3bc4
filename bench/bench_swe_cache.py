"""swe task cache: CPU of ``memgym audit --track swe`` with a warm task cache against a cold one.

Run: ``python bench/bench_swe_cache.py [--seeds 2] [--repeats 2] [--tier lite]``.

Each round runs the audit twice in child processes: **cold** (an empty cache folder, so every
scenario is generated: the mutation search and its probe subprocesses) and **warm** (the same
folder again: every scenario read from its entry). CPU is the child's user + system time with
every process it waited for (``os.wait4``: the probe and sandbox subprocesses included), never
wall time. The audits' JSON reports must be equal but for their timing, or the bench fails.
Beside them, generation alone: ``SweTrack.generate`` over the same seeds, cold then warm, in one
child process (its CPU with the probe subprocesses it waited for).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any


def audit(folder: Path, seeds: int, tier: str) -> tuple[float, dict[str, Any]]:
    """CPU seconds (with its subprocesses) and the JSON report of one audit using ``folder``."""
    env = {**os.environ, "MEMGYM_SWE_CACHE": str(folder)}
    argv = [sys.executable, "-m", "memgym", "audit", "--track", "swe", "--tier", tier,
            "--seeds", str(seeds), "--json"]  # fmt: skip
    with tempfile.TemporaryFile() as out:
        child = subprocess.Popen(argv, stdout=out, stderr=subprocess.DEVNULL, env=env)
        _, status, usage = os.wait4(child.pid, 0)
        out.seek(0)
        report = json.loads(out.read())
    if os.waitstatus_to_exitcode(status) not in (0, 1):  # 1: a gate or problem reported
        raise SystemExit(f"audit failed with status {status}")
    report.pop("seconds", None)
    return usage.ru_utime + usage.ru_stime, report


GENERATE = """
import json, resource, sys
from memgym.tracks.swe.track import SweTrack

def cpu():
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime

track, spent = SweTrack(), []
for _ in range(2):
    start = cpu()
    hashes = [track.generate(seed, sys.argv[2]).hash for seed in range(int(sys.argv[1]))]
    spent.append(cpu() - start)
print(json.dumps(spent))
"""


def generation(folder: Path, seeds: int, tier: str) -> tuple[float, float]:
    """CPU seconds of generating ``seeds`` scenarios into an empty ``folder``, then again."""
    env = {**os.environ, "MEMGYM_SWE_CACHE": str(folder)}
    argv = [sys.executable, "-c", GENERATE, str(seeds), tier]
    out = subprocess.run(argv, capture_output=True, text=True, check=True, env=env).stdout
    cold, warm = json.loads(out.strip().splitlines()[-1])
    return cold, warm


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=2, help="cold/warm rounds")
    parser.add_argument("--tier", default="lite")
    args = parser.parse_args(argv)
    cold: list[float] = []
    warm: list[float] = []
    for _ in range(args.repeats):
        with tempfile.TemporaryDirectory() as folder:
            first, report = audit(Path(folder), args.seeds, args.tier)
            second, again = audit(Path(folder), args.seeds, args.tier)
            if again != report:
                raise SystemExit("the warm audit's report differs from the cold one's")
            entries = len(list(Path(folder).glob("*.json")))
        cold.append(first)
        warm.append(second)
    with tempfile.TemporaryDirectory() as folder:
        made, read = generation(Path(folder), args.seeds, args.tier)
    print(
        f"swe generation alone, {args.seeds} seeds: CPU cold {made:.2f} s, warm {read:.3f} s "
        f"({made / max(read, 1e-9):.0f}× less)"
    )
    c, w = statistics.median(cold), statistics.median(warm)
    print(
        f"swe audit, {args.tier}, {args.seeds} seeds ({entries} cache entries): CPU cold "
        f"{c:.2f} s, warm {w:.2f} s: {c / w:.2f}× less with the cache "
        f"(rounds: cold {', '.join(f'{x:.2f}' for x in cold)}; "
        f"warm {', '.join(f'{x:.2f}' for x in warm)})"
    )
    print(f"load average {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
