"""Gymnasium environment throughput: env steps per second for a scripted policy.

Run: ``python bench/bench_env.py [--tier lite] [--seeds 20] [--policies strategic,perfect,naive]
[--vec N]``.

The scripted policy is memgym's expert (a scripted write policy plus the scripted reasoner),
recorded once per seed as the JSON action texts it sends; the timed loops then replay them:

- ``memgym.make``: through ``memgym.make(...)``, Gymnasium's wrappers included, resets included;
- ``unwrapped``: the env itself (action parsing, tool validation, the store, the answer check, the
  observation and ``info["state"]`` on every step);
- ``store only`` (the baseline, same run): the same store operations called directly on a fresh
  ``Store`` per episode, with no env around them, so ``env / store`` is what the env costs on top
  of the SQLite work it cannot avoid.

With ``--vec N`` it compares instead ``make_vec(..., N, mode="sync")`` against N single envs
(``memgym.make``) stepped by hand in the same order with the same actions (copy ``i`` replays the
expert's actions of seed ``i``, for as many steps as the shortest of the N plays; an episode that
ends is reset on both sides), the same ``make_vec`` with every key of every step's info read (its
arrays are built when first read: this is what a trainer that reads them all pays), and
Gymnasium's own ``SyncVectorEnv`` over the same copies (its info merge takes every nested dict
apart, ``info["state"]`` included): CPU seconds per env step, vector / single. Target: <= 1.2.

Variants are interleaved and the best of ``--repeats`` passes is kept; rates are steps per CPU
second of this process (``time.process_time``), with wall-clock steps/s beside them (on a shared
machine the wall figure mostly measures the neighbours). Target: >= 10,000 steps/s on lite.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from typing import Any

import gymnasium

from memgym import envs
from memgym.envs.expert import run_expert
from memgym.memory.agentic import budget_from_params
from memgym.memory.store import Store
from memgym.tracks import get_track

TARGET = 10_000
Play = list[str]


def record(tier: str, seeds: range, policy: str) -> list[Play]:
    """The expert's action texts for each seed."""
    track = get_track("entities")
    plays = []
    for seed in seeds:
        ep = run_expert(track.generate(seed, tier), policy, tier=tier, track=track)
        plays.append([json.dumps({"name": s.name, "arguments": s.args}) for s in ep.steps])
    return plays


def env_pass(env: Any, seeds: range, plays: list[Play]) -> int:
    """Play every seed's actions through ``env``; the number of steps."""
    steps = 0
    for seed, actions in zip(seeds, plays, strict=True):
        env.reset(seed=seed)
        for action in actions:
            _, _, terminated, truncated, info = env.step(action)
        steps += len(actions)
        assert terminated and not truncated, "the recorded actions did not finish the episode"
        assert "scores" in info
    return steps


def store_pass(tier: str, plays: list[Play]) -> int:
    """The baseline: the same store operations straight on a fresh budgeted ``Store``."""
    budget = budget_from_params(get_track("entities").params(tier))
    ops = {
        "memory_write": lambda s, a: s.write(a["text"]),
        "memory_edit": lambda s, a: s.edit(a["id"], a["text"]),
        "memory_delete": lambda s, a: s.delete(a["id"]),
        "memory_search": lambda s, a: s.search(a["query"], a.get("k", 5)),
        "memory_read": lambda s, a: s.read(a["id"]),
    }
    calls = [[json.loads(action) for action in play] for play in plays]
    steps = 0
    for play in calls:
        store = Store(budget)
        for call in play:
            op = ops.get(call["name"])
            if op is not None:
                op(store, call["arguments"])
        store.close()
        steps += len(play)
    return steps


def timed(run: Callable[[], int]) -> tuple[int, float, float]:
    """(steps, CPU seconds, wall seconds) of one pass."""
    start, cpu = time.perf_counter(), time.process_time()
    steps = run()
    return steps, time.process_time() - cpu, time.perf_counter() - start


def bench_policy(tier: str, seeds: range, policy: str, repeats: int) -> None:
    plays = record(tier, seeds, policy)
    env_id = envs.env_id("entities", tier)
    wrapped, bare = envs.make(env_id), envs.make(env_id).unwrapped
    variants: dict[str, Callable[[], int]] = {
        "memgym.make": lambda: env_pass(wrapped, seeds, plays),
        "unwrapped": lambda: env_pass(bare, seeds, plays),
        "store only": lambda: store_pass(tier, plays),
    }
    best: dict[str, tuple[float, float]] = {}
    for run in variants.values():
        run()  # warm-up: scenario cache, imports
    for _ in range(repeats):
        for label, run in variants.items():  # interleaved, so load drifts hit all alike
            steps, cpu, wall = timed(run)
            rate, wall_rate = steps / cpu, steps / wall
            if label not in best or rate > best[label][0]:
                best[label] = (rate, max(wall_rate, best.get(label, (0, 0))[1]))
    n = sum(len(p) for p in plays)
    baseline = best["store only"][0]
    for label, (rate, wall_rate) in best.items():
        verdict = ""
        if label != "store only" and tier == "lite":
            verdict = "  target 10,000: " + ("ok" if rate >= TARGET else "BELOW TARGET")
        print(
            f"{env_id} {policy:9s} {label:11s} {rate:8,.0f} steps/CPU-s {wall_rate:8,.0f} wall"
            f"  x{rate / baseline:4.2f} of store only  ({n} steps, {len(plays)} episodes)"
            f"{verdict}"
        )


def vec_pass(vec: Any, plays: list[Play], steps: int, read: bool = False) -> int:
    """Step ``vec`` (a copy per play) through the plays' first ``steps`` actions together;
    with ``read``, every key of every step's info is read (each array built)."""
    vec.reset(seed=0)
    for t in range(steps):
        info = vec.step(tuple(play[t] for play in plays))[4]
        if read:
            for key in info:
                info[key]
    return steps * len(plays)


def singles_pass(singles: list[Any], plays: list[Play], steps: int) -> int:
    """The same actions on one env per play, stepped in the vector env's order; an episode
    that ends is reset as the vector env resets it."""
    for seed, env in enumerate(singles):
        env.reset(seed=seed)
    for t in range(steps):
        for env, play in zip(singles, plays, strict=True):
            _, _, terminated, truncated, _ = env.step(play[t])
            if terminated or truncated:
                env.reset()
    return steps * len(plays)


def bench_vec(tier: str, copies: int, policy: str, repeats: int) -> None:
    """CPU per env step of ``make_vec`` sync against single envs, same actions, same run."""
    plays = record(tier, range(copies), policy)
    steps = min(len(p) for p in plays)
    env_id = envs.env_id("entities", tier)
    vec = envs.make_vec(env_id, copies, mode="sync")
    gym_vec = gymnasium.vector.SyncVectorEnv(
        [lambda: envs.make(env_id) for _ in range(copies)],
        autoreset_mode=gymnasium.vector.AutoresetMode.SAME_STEP,
    )
    singles = [envs.make(env_id) for _ in range(copies)]
    variants: dict[str, Callable[[], int]] = {
        "single envs": lambda: singles_pass(singles, plays, steps),
        "make_vec sync": lambda: vec_pass(vec, plays, steps),
        "info all read": lambda: vec_pass(vec, plays, steps, read=True),
        "gymnasium sync": lambda: vec_pass(gym_vec, plays, steps),
    }
    best: dict[str, float] = {}
    for run in variants.values():
        run()  # warm-up
    for _ in range(repeats):
        for label, run in variants.items():
            n, cpu, _ = timed(run)
            best[label] = min(best.get(label, float("inf")), cpu / n)
    ratio = best["make_vec sync"] / best["single envs"]
    for label, per_step in best.items():
        print(f"{env_id} {policy:9s} {label:14s} {per_step * 1e6:7.1f} CPU-us per env step"
              f"  x{per_step / best['single envs']:.2f}")  # fmt: skip
    verdict = "ok" if ratio <= 1.2 else "ABOVE TARGET"
    read = best["info all read"] / best["single envs"]
    print(f"make_vec sync / single env: x{ratio:.2f}, every info key read x{read:.2f} "
          f"({copies} copies x {steps} steps; target <= 1.2: {verdict})")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tier", default="lite")
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--policies", default="strategic,perfect,naive")
    parser.add_argument("--repeats", type=int, help="passes, best kept (5; 9 with --vec)")
    parser.add_argument("--vec", type=int, default=0, help="compare make_vec sync of N copies")
    args = parser.parse_args()
    if args.repeats is None:
        args.repeats = 9 if args.vec else 5
    if args.vec:
        for policy in args.policies.split(","):
            bench_vec(args.tier, args.vec, policy.strip(), args.repeats)
        return
    for policy in args.policies.split(","):
        bench_policy(args.tier, range(args.seeds), policy.strip(), args.repeats)


if __name__ == "__main__":
    main()
