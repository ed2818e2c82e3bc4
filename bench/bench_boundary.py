"""Overhead of the trust boundary: the same work in the evaluator's process and behind it.

    python bench/bench_boundary.py [--llm-seeds 100] [--validate-seeds 10] [--repeats 2]
                                   [--skip-llm] [--skip-validate]

Two measurements, each a ratio of the boundary (``--isolate``: memory and reasoner in a worker
process, in a bubblewrap sandbox when it is installed) to the in-process path, run interleaved
in this one process so both see the same machine:

- an LLM run: ``memgym run --track entities --tier lite --memory full --model memgym-scripted``
  against one zero-latency ``memgym serve`` (10 questions a seed, so 100 seeds = 1,000 calls);
- ``memgym validate --seeds N`` (every question-stream track, lite and standard).

Figures: wall seconds and CPU seconds of the command and every process under it (the worker
and its episode children included, in the sandbox too: the worker is its PID 1, which ``bwrap``
waits for; the server's CPU is the same for both and not counted).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def children_cpu() -> float:
    u = resource.getrusage(resource.RUSAGE_CHILDREN)
    return u.ru_utime + u.ru_stime


def timed(argv: list[str]) -> tuple[float, float, str]:
    """Wall and CPU seconds of ``argv`` (and all it started), and its stdout."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    cpu, wall = children_cpu(), time.perf_counter()
    out = subprocess.run(argv, capture_output=True, text=True, env=env, check=True).stdout
    return time.perf_counter() - wall, children_cpu() - cpu, out


def llm_run(
    port: int, seeds: int, isolate: bool, folder: str
) -> tuple[float, float, int, set[str]]:
    """One LLM run: wall, CPU, LLM calls made, and the boundaries its episodes record."""
    db = os.path.join(folder, f"llm-{isolate}-{time.monotonic_ns()}.db")
    argv = [sys.executable, "-m", "memgym", "run", "--track", "entities", "--tier", "lite",
            "--seeds", str(seeds), "--memory", "full", "--model", "memgym-scripted",
            "--base-url", f"http://127.0.0.1:{port}/v1", "--results", db, "--json"]  # fmt: skip
    wall, cpu, out = timed(argv + (["--isolate"] if isolate else []))
    episodes = json.loads(out)["episodes"]
    calls = sum(int(e["usage"].get("calls", 0)) for e in episodes)
    return wall, cpu, calls, {e["boundary"] for e in episodes}


def validate(seeds: int, isolate: bool) -> tuple[float, float]:
    argv = [sys.executable, "-m", "memgym", "validate", "--seeds", str(seeds)]
    wall, cpu, _ = timed(argv + (["--isolate"] if isolate else []))
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--llm-seeds", type=int, default=100)
    parser.add_argument("--validate-seeds", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--skip-validate", action="store_true")
    parser.add_argument("--skip-llm", action="store_true")
    args = parser.parse_args()
    if not args.skip_llm:
        llm_runs(args)
    if not args.skip_validate:
        validate_runs(args)


def llm_runs(args: argparse.Namespace) -> None:
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "memgym", "serve", "--port", str(port)],
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        time.sleep(3)
        with tempfile.TemporaryDirectory() as folder:
            figures: dict[bool, list[tuple[float, float]]] = {False: [], True: []}
            for _ in range(args.repeats):
                for isolate in (False, True):
                    wall, cpu, calls, paths = llm_run(port, args.llm_seeds, isolate, folder)
                    figures[isolate].append((wall, cpu))
                    print(f"llm run isolate={isolate}: {calls} calls, {wall:.2f} s wall, "
                          f"{cpu:.2f} s CPU, boundary {sorted(paths)}", flush=True)  # fmt: skip
            report("llm run", figures)
    finally:
        server.terminate()
        server.wait()


def validate_runs(args: argparse.Namespace) -> None:
    figures: dict[bool, list[tuple[float, float]]] = {False: [], True: []}
    for _ in range(args.repeats):
        for isolate in (False, True):
            wall, cpu = validate(args.validate_seeds, isolate)
            figures[isolate].append((wall, cpu))
            print(f"validate isolate={isolate}: {wall:.2f} s wall, {cpu:.2f} s CPU", flush=True)
    report(f"validate --seeds {args.validate_seeds}", figures)


def report(name: str, figures: dict[bool, list[tuple[float, float]]]) -> None:
    """Best (lowest) wall and CPU of each path and their ratios."""
    here_wall, here_cpu = (min(f[i] for f in figures[False]) for i in (0, 1))
    there_wall, there_cpu = (min(f[i] for f in figures[True]) for i in (0, 1))
    print(
        f"{name}: in-process {here_wall:.2f} s wall / {here_cpu:.2f} s CPU; boundary "
        f"{there_wall:.2f} s wall / {there_cpu:.2f} s CPU; ratio {there_wall / here_wall:.2f}x "
        f"wall, {there_cpu / here_cpu:.2f}x CPU (best of {len(figures[False])})",
        flush=True,
    )


if __name__ == "__main__":
    main()
