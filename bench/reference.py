"""A fixed reference workload, measured in the same process as a benchmark, for absolute targets.

CPU time inflates with the machine's load (shared caches, clock frequency), so an absolute target
("a write ≤ 0.2 ms CPU") fails at load on code that meets it on a quiet machine. A benchmark with
an absolute target measures ``reference_ms()`` (plain interpreter work: building and sorting
strings, dicts and lists, a JSON round trip, a regular expression; the kind of work memgym does)
right beside its own figures and judges the figure **calibrated**: scaled by ``QUIET_MS /
reference_ms()``, i.e. the ratio to the reference workload measured in the same run, expressed
in the milliseconds of the quiet machine the targets were written for. Both figures are printed.

``QUIET_MS`` is the lowest reference measured on this 2-core machine so far: 15.5 ms, the median
of 7 runs inside ``bench/bench_llm_sync.py`` at load average ~10-15 (2026-11-26; no quieter
moment came while it was written; the reference ranged 15.5-29 ms that day). On a quieter
machine the reference runs faster, so calibrated figures err on the slow
side (a verdict "met" holds); re-measure with ``python bench/reference.py`` at load ~1 and set it.
"""

from __future__ import annotations

import json
import re
import statistics
import time

QUIET_MS = 15.5
"""CPU ms of one ``workload()`` on the quietest machine measured (see above)."""
_WORD = re.compile(r"\b(\w+) (\d+)\b")


def workload() -> int:
    """The reference work (deterministic); returns a number so nothing is optimised away."""
    table: dict[str, list[str]] = {}
    for i in range(6_000):
        text = f"entity {i % 97} value {i * 7} step {i}"
        table[text] = text.split()
    rows = sorted(table.items(), key=lambda kv: kv[1][3])
    back = json.loads(json.dumps(rows[:1_500]))
    found = sum(len(_WORD.findall(text)) for text, _ in rows[::4])
    return len(back) + found


def reference_ms(repeats: int = 7) -> float:
    """The median CPU milliseconds of ``workload()`` in this process now."""
    times = []
    for _ in range(repeats):
        start = time.process_time_ns()
        workload()
        times.append((time.process_time_ns() - start) / 1e6)
    return statistics.median(times)


def calibrated(ms: float, reference: float) -> float:
    """``ms`` measured beside ``reference`` (``reference_ms()``), in quiet-machine milliseconds."""
    return ms * QUIET_MS / reference


def main(argv: list[str] | None = None) -> int:
    """Print the reference workload's CPU time now, beside ``QUIET_MS`` and the load."""
    import argparse
    import os

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args(argv)
    now = reference_ms(args.repeats)
    print(f"reference workload: {now:.2f} ms CPU (median of {args.repeats}; quiet machine "
          f"{QUIET_MS} ms, x{now / QUIET_MS:.2f}); load average {os.getloadavg()[0]:.1f}")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
