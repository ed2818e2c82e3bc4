"""What a plugin's episode costs in the sandboxed worker: served in turn by a child that has
played other scenarios, or by a fresh child (a repeat of a scenario: a re-run, a pass^k trial,
another arm of a compare).

    PYTHONPATH=. python bench/bench_boundary_fresh.py [--episodes 30] [--rounds 3]

Each figure is the CPU (user + system) of the worker and all its children, reaped with it, per
episode: a worker that serves ``--episodes`` episodes of entities lite (``plugin-full`` from
``bench/boundary_plugin.py``, the scripted reasoner, no network) less one that serves a single
episode, in turn, for distinct seeds (one child serves them all) and for one seed again (each a
fresh child). The evaluator's own CPU is the same for both and printed beside them.
"""

from __future__ import annotations

import argparse
import resource
import time
from pathlib import Path

from memgym.run.remote import close_workers
from memgym.run.runner import run_item
from memgym.run.work import WorkItem

PLUGIN = str(Path(__file__).resolve().parent / "boundary_plugin.py")


def cpu(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def worker_cpu(seeds: list[int]) -> tuple[float, float]:
    """CPU seconds of a worker (and its children) that plays ``seeds`` in turn, and of this
    process meanwhile."""
    close_workers()
    workers, here = cpu(resource.RUSAGE_CHILDREN), cpu(resource.RUSAGE_SELF)
    for seed in seeds:
        item = WorkItem("entities", "lite", seed, (), "plugin-full", "scripted", plugins=(PLUGIN,))
        result = run_item(item)
        assert result.status == "ok" and result.boundary == "sandbox", result.reason
    close_workers()
    return cpu(resource.RUSAGE_CHILDREN) - workers, cpu(resource.RUSAGE_SELF) - here


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--episodes", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    n = args.episodes
    for i in range(args.rounds):
        start = time.perf_counter()
        one, _ = worker_cpu([1])
        turn, turn_here = worker_cpu(list(range(1, n + 1)))
        fresh, fresh_here = worker_cpu([1] * n)
        print(f"round {i + 1}: worker {one:.2f} s CPU for one episode; per further episode "
              f"{(turn - one) / (n - 1) * 1000:.1f} ms served in turn, "
              f"{(fresh - one) / (n - 1) * 1000:.1f} ms a fresh child (the evaluator "
              f"{turn_here / n * 1000:.1f} / {fresh_here / n * 1000:.1f} ms an episode); "
              f"{time.perf_counter() - start:.0f} s wall", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
