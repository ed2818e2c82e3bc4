"""Web track speed: wall time per agent step with the real browser, observation length against
its target, and how many browser sessions fit side by side on this machine.

Run: ``python bench/bench_web.py [--tier standard] [--seeds 4] [--workers 1,2,3,4]``.

- **per step**: gold-replay sessions (``full`` history), timed per tool call: the browser acts,
  waits until the app has saved, and reads the accessibility tree. Baseline in the same run: the
  same number of app protocol round trips without a browser (``GET /api/state`` + ``PUT
  /api/state`` over loopback HTTP), so ``step / protocol`` is what the browser costs.
- **session start** (server, browser, first page), interleaved: cold (the pooled chromium closed
  first, so Playwright and chromium start, as every session did before the pool) against pooled
  (a new context in the thread's running chromium, ``memgym.tracks.web.pool``).
- **length control**: tokens of list-page observations against ``page_tokens``.
- **workers**: W processes each running whole gold sessions at once; steps per second of wall
  time over all of them, against W = 1 in the same run. Where the ratio stops growing, more
  browsers do not fit the cores.

Wall times on a shared machine include the neighbours' load; the load average is printed.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
import urllib.request
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from typing import Any

from memgym.tokens import count_tokens
from memgym.tracks.session import ToolCall
from memgym.tracks.web.pool import close_pooled
from memgym.tracks.web.track import WebTrack


def gold_session(
    seed: int, tier: str, overrides: dict[str, Any], cold: bool = False
) -> dict[str, Any]:
    """One gold-replay session, timed: start, each step, and list-page observation tokens
    (``cold``: the thread's pooled chromium closed first, so this session launches one)."""
    if cold:
        close_pooled()
    track = WebTrack()
    scenario = track.generate(seed, tier, **overrides)
    world = track.world(scenario)
    session = track.open(scenario)
    steps: list[float] = []
    list_tokens: list[int] = []
    start = time.perf_counter()
    try:
        session.start()
        started = time.perf_counter() - start
        rss = children_pss()
        for task in world.tasks:
            for step in task.steps:
                t0 = time.perf_counter()
                page = session.call(ToolCall("b", step.tool, json.dumps(step.args)))
                steps.append(time.perf_counter() - t0)
                if page.startswith("url: #/list/"):
                    list_tokens.append(count_tokens(page))
            session.reply(None)
        solved = sum(o.reward for o in session.outcomes())
    finally:
        session.close()
    assert solved == len(world.tasks), "gold replay must solve every errand"
    return {"start": started, "steps": steps, "rss": rss, "list_tokens": list_tokens,
            "wall": time.perf_counter() - start, "tasks": len(world.tasks)}  # fmt: skip


def children_pss() -> float | None:
    """MiB of memory this process's children hold (the Playwright driver and chromium's
    processes; proportional set size, so pages they share are counted once), or None (unknown)
    without psutil."""
    try:
        import psutil
    except ImportError:
        return None
    total = 0
    for child in psutil.Process().children(recursive=True):
        try:
            total += child.memory_full_info().pss
        except psutil.Error:
            pass
    return total / 2**20


def protocol_round_trips(n: int) -> float:
    """Seconds per GET + PUT of a standard app's state over loopback HTTP, no browser."""
    track = WebTrack()
    world = track.world(track.generate(0))
    from memgym.tracks.web.page import render_page
    from memgym.tracks.web.server import AppServer

    server = AppServer(render_page(world.app, world.page_size), world.initial_state())
    try:
        t0 = time.perf_counter()
        for _ in range(n):
            with urllib.request.urlopen(server.url + "api/state") as reply:
                body = reply.read()
            put = urllib.request.Request(server.url + "api/state", data=body, method="PUT")
            urllib.request.urlopen(put).read()
        return (time.perf_counter() - t0) / n
    finally:
        server.close()


def worker(seeds: list[int], tier: str) -> tuple[int, float]:
    """Run gold sessions for ``seeds`` in this process; (steps, seconds)."""
    t0 = time.perf_counter()
    steps = sum(len(gold_session(s, tier, {})["steps"]) for s in seeds)
    return steps, time.perf_counter() - t0


def throughput(workers: int, per_worker: int, tier: str) -> float:
    """Steps per wall second with ``workers`` processes of ``per_worker`` sessions each."""
    jobs = [list(range(w * per_worker, (w + 1) * per_worker)) for w in range(workers)]
    t0 = time.perf_counter()
    with ProcessPoolExecutor(workers, mp_context=get_context("spawn")) as pool:
        done = list(pool.map(worker, jobs, [tier] * workers))
    return sum(steps for steps, _ in done) / (time.perf_counter() - t0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tier", default="standard")
    parser.add_argument("--seeds", type=int, default=4)
    parser.add_argument("--workers", default="1,2,3,4")
    parser.add_argument("--per-worker", type=int, default=2)
    args = parser.parse_args()
    print(f"cores {os.cpu_count()}, load average {os.getloadavg()[0]:.2f} at start")

    colds, runs = [], []
    for s in range(args.seeds):  # interleaved: a cold start, then a pooled one
        colds.append(gold_session(s, args.tier, {}, cold=True))
        runs.append(gold_session(s, args.tier, {}))
    steps = [t for r in runs for t in r["steps"]]
    protocol = protocol_round_trips(200)
    step = statistics.median(steps)
    print(f"\nper step ({args.tier}, {args.seeds} gold sessions, {len(steps)} steps)")
    print(f"  browser step    median {step * 1000:7.1f} ms  p90 "
          f"{statistics.quantiles(steps, n=10)[-1] * 1000:7.1f} ms")  # fmt: skip
    print(f"  protocol only   {protocol * 1000:7.1f} ms (GET + PUT of the state, no browser)")
    print(f"  ratio           {step / protocol:7.1f}x")
    cold = statistics.median(r["start"] for r in colds)
    pooled = statistics.median(r["start"] for r in runs)
    print(f"  session start   cold   median {cold:5.3f} s (server, Playwright and chromium "
          "launched, first page)")  # fmt: skip
    print(f"                  pooled median {pooled:5.3f} s (server, a new context in the "
          f"running chromium, first page): {cold / pooled:.1f}x faster")  # fmt: skip
    known = [r["rss"] for r in runs if r["rss"] is not None]
    memory = f"{statistics.median(known):5.0f} MiB" if known else "unknown (pip install psutil)"
    print(f"  browser memory  {memory} per session (driver + chromium, PSS)")
    walls = [r["wall"] / len(r["steps"]) for r in runs]
    print(f"  episode wall / step, start included: {statistics.median(walls) * 1000:.0f} ms")

    print("\nlength control (tokens of a list page's observation)")
    for target in (400, 700, 1500):
        run = gold_session(0, "lite", {"page_tokens": target})
        mean = statistics.mean(run["list_tokens"])
        print(f"  page_tokens {target:5d}: {mean:6.0f} tokens ({mean / target:.2f} of target)")

    print(f"\nworkers (processes x {args.per_worker} {args.tier} sessions each)")
    base = 0.0
    for w in (int(x) for x in args.workers.split(",")):
        rate = throughput(w, args.per_worker, args.tier)
        base = base or rate
        print(f"  {w} worker(s): {rate:6.1f} steps/s  x{rate / base:4.2f} of 1 worker "
              f"(load {os.getloadavg()[0]:.1f})")  # fmt: skip


if __name__ == "__main__":
    main()
