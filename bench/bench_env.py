"""Gymnasium environment throughput: env steps per second for a scripted policy.

Run: ``python bench/bench_env.py [--tier lite] [--seeds 20] [--policy strategic]``. The scripted
policy is memgym's expert (a scripted write policy plus the scripted reasoner), recorded once per
seed as the JSON action texts it sends; the timed loop then plays those actions through
``memgym.make(...)`` (Gymnasium's wrappers included) and through the unwrapped env, resets
included, so the figure is the env's own cost per step: parsing the action, the SQLite store, the
answer check, the observation and ``info["state"]``. It also prints the live expert (policy thinking
included) through the episode core. Target: >= 10,000 steps/s on the lite tier. Steps per CPU
second (``time.process_time``) are printed beside wall-clock steps/s: on a shared machine the
wall figure mostly measures the neighbours. The best of ``--repeats`` passes is kept.
"""

from __future__ import annotations

import argparse
import json
import time

from memgym import envs
from memgym.envs.expert import run_expert
from memgym.tracks import get_track

TARGET = 10_000


def record(tier: str, seeds: range, policy: str) -> list[list[str]]:
    """The expert's action texts for each seed."""
    track = get_track("entities")
    plays = []
    for seed in seeds:
        ep = run_expert(track.generate(seed, tier), policy, tier=tier, track=track)
        plays.append([json.dumps({"name": s.name, "arguments": s.args}) for s in ep.steps])
    return plays


def play(env, seeds: range, plays: list[list[str]]) -> tuple[int, float, float, float]:  # type: ignore[no-untyped-def]
    """(steps, wall seconds, CPU seconds, mean final composite) playing every seed's actions."""
    steps, total = 0, 0.0
    start, cpu = time.perf_counter(), time.process_time()
    for seed, actions in zip(seeds, plays, strict=True):
        env.reset(seed=seed)
        for action in actions:
            _, _, terminated, truncated, info = env.step(action)
            steps += 1
        assert terminated and not truncated, "the recorded actions did not finish the episode"
        total += info["scores"]["composite"]
    return steps, time.perf_counter() - start, time.process_time() - cpu, total / len(plays)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tier", default="lite")
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--policy", default="strategic")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    seeds = range(args.seeds)
    plays = record(args.tier, seeds, args.policy)
    env_id = envs.env_id("entities", args.tier)
    for label, env in (
        ("memgym.make (wrapped)", envs.make(env_id)),
        ("unwrapped env", envs.make(env_id).unwrapped),
    ):
        play(env, seeds, plays)  # warm-up: scenario cache, imports
        best = max(
            (play(env, seeds, plays) for _ in range(args.repeats)), key=lambda r: r[0] / r[1]
        )
        steps, seconds, cpu, composite = best
        rate = steps / seconds
        verdict = "ok" if rate >= TARGET or args.tier != "lite" else "BELOW TARGET"
        print(
            f"{env_id} {label:22s} {rate:8,.0f} steps/s wall, {steps / cpu:8,.0f} per CPU second"
            f"  ({steps} steps, {args.seeds} episodes, composite {composite:.3f})"
            f"  target {TARGET:,}: {verdict}"
        )
    track = get_track("entities")
    scenarios = [track.generate(s, args.tier) for s in seeds]
    start, steps = time.perf_counter(), 0
    for scenario in scenarios:
        steps += len(run_expert(scenario, args.policy, tier=args.tier, track=track).steps)
    rate = steps / (time.perf_counter() - start)
    print(f"{env_id} live expert, policy included {rate:10,.0f} steps/s  (episode core)")


if __name__ == "__main__":
    main()
