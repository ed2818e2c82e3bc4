"""Peak memory of ``memgym validate`` and ``memgym compare`` as the number of episodes grows.

    python bench/bench_rss.py [--validate-seeds 10,100,1000] [--compare-seeds 10,143]
                              [--base REV] [--only validate|compare]

Runs ``python -m memgym validate --track entities --tiers standard --seeds N --workers 1`` for
each N of ``--validate-seeds`` and ``python -m memgym compare --track entities --seeds N`` (the
default memories: 7 per seed, so 143 seeds are 1,001 episodes; results to a temporary file) for
each N of ``--compare-seeds``, each in its own child process with everything in that process,
and prints each child's peak resident memory (``ru_maxrss`` of that child alone, from
``os.wait4``), its CPU seconds and its episodes, and whether the peaks stay within 20 % of the
smallest run's (memory flat in the number of episodes). ``--base REV`` runs the same commands
in a worktree of REV too (``bench/base_checkout.py``), interleaved. Long runs: use ``nice``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from base_checkout import REPO, base_checkout

FLAT = 1.20
"""The largest peak may be at most this many times the smallest."""
COMPARE_MEMORIES = 7
"""Memories ``compare`` runs by default: none, oracle, full and its four default ones."""


def measure(tree: Path, args: list[str]) -> tuple[float, float]:
    """Run ``python ARGS`` with ``tree`` first on the import path; (peak RSS in MiB, CPU s) of
    that child alone. Exits with its error unless it exits 0 (or 1 with stdout)."""
    env = dict(os.environ, PYTHONPATH=str(tree))
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        child = subprocess.Popen([sys.executable, *args], cwd=tree, env=env, stdout=out, stderr=err)
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        printed, errors = out.read(), err.read()
    if child.returncode not in (0, 1) or (child.returncode == 1 and not printed.strip()):
        raise SystemExit(f"{' '.join(args)} failed in {tree}:\n{errors.decode()[-2000:]}")
    return usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


def commands(only: str | None, validate: list[int], compare: list[int], folder: str):
    """(label, episodes, argv) of every run asked for."""
    episodes_per_seed = _validate_episodes()
    runs = []
    if only in (None, "validate"):
        for n in validate:
            argv = [
                "-m",
                "memgym",
                "validate",
                "--track",
                "entities",
                "--tiers",
                "standard",
                "--seeds",
                str(n),
                "--workers",
                "1",
                "--json",
            ]
            runs.append(("validate", n * episodes_per_seed, argv))
    if only in (None, "compare"):
        for n in compare:
            argv = [
                "-m",
                "memgym",
                "compare",
                "--track",
                "entities",
                "--seeds",
                str(n),
                "--json",
                "--results",
                os.path.join(folder, f"compare-{n}.db"),
            ]
            runs.append(("compare", n * COMPARE_MEMORIES, argv))
    return runs


def _validate_episodes() -> int:
    """Episodes validate runs per seed on entities: every policy and every cheat."""
    sys.path.insert(0, str(REPO))
    from memgym.simulation.policies import POLICIES
    from memgym.simulation.validate import CHEATS

    return len(set(POLICIES) | set(CHEATS))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--validate-seeds", default="10,100,1000")
    parser.add_argument("--compare-seeds", default="10,143")
    parser.add_argument("--only", choices=["validate", "compare"])
    parser.add_argument("--base", help="also run a worktree of this commit (interleaved)")
    args = parser.parse_args()
    seeds = [int(n) for n in args.validate_seeds.split(",")]
    compare = [int(n) for n in args.compare_seeds.split(",")]
    trees = {"this": REPO}
    if args.base:
        trees = {"base": base_checkout(args.base), **trees}
    with tempfile.TemporaryDirectory() as folder:
        peaks: dict[tuple[str, str], list[float]] = {}
        for label, episodes, argv in commands(args.only, seeds, compare, folder):
            for name, tree in trees.items():
                for db in Path(folder).glob("*.db*"):
                    db.unlink()
                rss, cpu = measure(tree, argv)
                peaks.setdefault((name, label), []).append(rss)
                seeds_at = argv[argv.index("--seeds") + 1]
                print(
                    f"{name:4} {label:8} --seeds {seeds_at:>5}: {episodes:>6,} episodes, "
                    f"peak RSS {rss:7.1f} MiB, {cpu:7.1f} s CPU",
                    flush=True,
                )
    for (name, label), values in peaks.items():
        ratio = max(values) / min(values)
        verdict = "flat" if ratio <= FLAT else "NOT flat"
        print(f"{name} {label}: largest peak / smallest = {ratio:.2f} ({verdict}: <= {FLAT:.2f})")


if __name__ == "__main__":
    main()
