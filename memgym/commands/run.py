"""``memgym run``: run an evaluation, store every episode, print the per-axis table."""

from __future__ import annotations

import argparse
import json
import time
from typing import Any

from memgym.commands.common import (
    add_results_arg,
    add_scenario_args,
    add_seed_args,
    err_console,
    overrides,
    print_summary,
    progress,
)
from memgym.types import EpisodeResult


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the ``run`` subcommand."""
    p = sub.add_parser("run", help="run an evaluation and print a per-axis table")
    add_scenario_args(p)
    p.add_argument(
        "--policies", help="comma-separated simulation policies (default: the honest ones)"
    )
    p.add_argument(
        "--memory", help="memory spec, e.g. agentic:policy=strategic (instead of --policies)"
    )
    p.add_argument("--reasoner", help="reasoner spec, e.g. scripted (instead of --policies)")
    add_seed_args(p, 5)
    p.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
    add_results_arg(p)
    p.add_argument("--json", action="store_true", help="print every episode result as JSON")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from memgym.run.results import ResultsStore
    from memgym.simulation.policies import HONEST, get_policy
    from memgym.simulation.runner import Unit, run_units

    if args.memory or args.reasoner:
        pairs = [(args.memory or "agentic:policy=strategic", args.reasoner or "scripted")]
        names: tuple[str, ...] = ()
    else:
        names = tuple(
            p.strip() for p in (args.policies or ",".join(HONEST)).split(",") if p.strip()
        )
        for name in names:
            get_policy(name)
        pairs = []
    fixed = tuple(sorted(overrides(args.param).items()))
    seeds = range(args.seed, args.seed + args.seeds)
    results = []
    start = time.perf_counter()
    if pairs:
        results = _run_pairs(args.track, args.tier, seeds, fixed, pairs)
    else:
        units = [Unit(args.track, args.tier, s, fixed, names) for s in seeds]
        with progress() as bar:
            task = bar.add_task("episodes", total=len(units) * len(names))
            for done in run_units(
                units, workers=args.workers, on_done=lambda _: bar.advance(task, len(names))
            ):
                results.extend(done.results[n] for n in names)
    elapsed = time.perf_counter() - start
    with ResultsStore(args.results) as store:
        run_id = store.start_run(
            {
                "command": "run",
                "track": args.track,
                "tier": args.tier,
                "seeds": list(seeds),
                "policies": list(names),
                "pairs": pairs,
                "overrides": dict(fixed),
            }
        )
        for r in results:
            store.add_episode(run_id, r)
    if args.json:
        print(json.dumps([r.model_dump(mode="json") for r in results], indent=2))
        return 0
    print_summary(results, f"{args.track} / {args.tier or 'default tier'} / {len(seeds)} seeds")
    err_console.print(
        f"{len(results)} episodes in {elapsed:.2f} s; results in {args.results} (run {run_id})"
    )
    return 0


def _run_pairs(
    track_name: str,
    tier: str | None,
    seeds: range,
    fixed: tuple[tuple[str, Any], ...],
    pairs: list[tuple[str, str]],
) -> list[EpisodeResult]:
    """Run explicit (memory, reasoner) pairs on each seed's scenario."""
    from memgym.memory import make_memory
    from memgym.reasoners import make_reasoner
    from memgym.run.episode import evaluate
    from memgym.tracks import get_track

    track = get_track(track_name)
    results = []
    with progress() as bar:
        task = bar.add_task("episodes", total=len(seeds) * len(pairs))
        for seed in seeds:
            scenario = track.generate(seed, tier, **dict(fixed))
            for memory_spec, reasoner_spec in pairs:
                memory = make_memory(memory_spec, track)
                reasoner = make_reasoner(reasoner_spec, track)
                results.append(evaluate(scenario, memory, reasoner))
                bar.advance(task)
    return results
