"""Overhead of the trust boundary: the same work in the evaluator's process and behind it.

    python bench/bench_boundary.py [--llm-seeds 100] [--validate-seeds 10] [--repeats 2]
                                   [--skip-llm] [--skip-validate] [--paths sandbox,plain,plugin]

Two measurements, each the ratios of the boundary (``--isolate``: memory and reasoner in a
worker process) to the in-process path, the boundary both in the bubblewrap sandbox (when it is
installed) and as a plain worker process (``MEMGYM_SANDBOX=off``), all run interleaved in this
one process so they see the same machine (``--paths`` picks fewer):

- an LLM run: ``memgym run --track entities --tier lite --memory full --model memgym-scripted``
  against one zero-latency ``memgym serve`` (10 questions a seed, so 100 seeds = 1,000 calls);
  also (``plugin``) the same memory registered by a plugin (``bench/boundary_plugin.py``) in the
  sandbox: what a third-party memory pays (its worker's child serves episodes in turn only
  while no scenario repeats in it, as here, one episode a seed: ``memgym.run.replays``);
- ``memgym validate --seeds N`` (every question-stream track, lite and standard).

Every command may write memgym's bytecode (``PYTHONDONTWRITEBYTECODE`` is dropped), as an
installed memgym has it; else each process, the worker too, compiles the sources again.
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


PATHS = {"in-process": {}, "sandbox": {}, "plain": {"MEMGYM_SANDBOX": "off"}, "plugin": {}}
"""Each path measured: the variables its command runs with (all but in-process: ``--isolate``).
``plugin`` (the LLM run only): the same memory as a plugin's (``bench/boundary_plugin.py``), in
the sandbox, where a child serves episodes in turn while it meets no scenario twice."""
PLUGIN = str(REPO / "bench" / "boundary_plugin.py")


def timed(argv: list[str], path: str = "in-process") -> tuple[float, float, str]:
    """Wall and CPU seconds of ``argv`` (and all it started) on ``path``, and its stdout."""
    env = {**os.environ, "PYTHONPATH": str(REPO), **PATHS[path]}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # as an installed memgym runs: from its bytecode
    if path in ("sandbox", "plugin"):  # whatever this shell says
        env.pop("MEMGYM_SANDBOX", None)
    argv = argv if path == "in-process" else [*argv, "--isolate"]
    cpu, wall = children_cpu(), time.perf_counter()
    out = subprocess.run(argv, capture_output=True, text=True, env=env, check=True).stdout
    return time.perf_counter() - wall, children_cpu() - cpu, out


def llm_run(port: int, seeds: int, path: str, folder: str) -> tuple[float, float, int, set[str]]:
    """One LLM run: wall, CPU, LLM calls made, and the boundaries its episodes record."""
    db = os.path.join(folder, f"llm-{path}-{time.monotonic_ns()}.db")
    memory = ["plugin-full", "--plugin", PLUGIN] if path == "plugin" else ["full"]
    argv = [sys.executable, "-m", "memgym", "run", "--track", "entities", "--tier", "lite",
            "--seeds", str(seeds), "--memory", *memory, "--model", "memgym-scripted",
            "--base-url", f"http://127.0.0.1:{port}/v1", "--results", db, "--json"]  # fmt: skip
    wall, cpu, out = timed(argv, path)
    episodes = json.loads(out)["episodes"]
    calls = sum(int(e["usage"].get("calls", 0)) for e in episodes)
    return wall, cpu, calls, {e["boundary"] for e in episodes}


def validate(seeds: int, path: str) -> tuple[float, float]:
    argv = [sys.executable, "-m", "memgym", "validate", "--seeds", str(seeds)]
    wall, cpu, _ = timed(argv, path)
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--llm-seeds", type=int, default=100)
    parser.add_argument("--validate-seeds", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--skip-validate", action="store_true")
    parser.add_argument("--skip-llm", action="store_true")
    parser.add_argument("--paths", default="sandbox,plain,plugin",
                        help="the boundary's paths to measure: sandbox, plain, plugin (the "
                             "LLM run only)")  # fmt: skip
    args = parser.parse_args()
    args.paths = ["in-process", *(p for p in args.paths.split(",") if p in PATHS)]
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
            figures: dict[str, list[tuple[float, float]]] = {p: [] for p in args.paths}
            for _ in range(args.repeats):
                for path in args.paths:
                    wall, cpu, calls, seen = llm_run(port, args.llm_seeds, path, folder)
                    figures[path].append((wall, cpu))
                    print(f"llm run {path}: {calls} calls, {wall:.2f} s wall, "
                          f"{cpu:.2f} s CPU, boundary {sorted(seen)}", flush=True)  # fmt: skip
            report("llm run", figures)
    finally:
        server.terminate()
        server.wait()


def validate_runs(args: argparse.Namespace) -> None:
    paths = [p for p in args.paths if p != "plugin"]  # validate's policies are memgym's own
    figures: dict[str, list[tuple[float, float]]] = {p: [] for p in paths}
    for _ in range(args.repeats):
        for path in paths:
            wall, cpu = validate(args.validate_seeds, path)
            figures[path].append((wall, cpu))
            print(f"validate {path}: {wall:.2f} s wall, {cpu:.2f} s CPU", flush=True)
    report(f"validate --seeds {args.validate_seeds}", figures)


def report(name: str, figures: dict[str, list[tuple[float, float]]]) -> None:
    """Best (lowest) wall and CPU of each path, and each boundary path's ratios to in-process."""
    best = {p: (min(f[0] for f in runs), min(f[1] for f in runs)) for p, runs in figures.items()}
    here_wall, here_cpu = best["in-process"]
    print(f"{name}: in-process {here_wall:.2f} s wall / {here_cpu:.2f} s CPU "
          f"(best of {len(figures['in-process'])})", flush=True)  # fmt: skip
    for path, (wall, cpu) in best.items():
        if path != "in-process":
            print(f"{name}: {path} {wall:.2f} s wall / {cpu:.2f} s CPU; ratio "
                  f"{wall / here_wall:.2f}x wall, {cpu / here_cpu:.2f}x CPU", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
