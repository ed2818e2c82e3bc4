"""``memgym run``: run an evaluation, store every episode as it finishes, print the per-axis table.

Episodes run concurrently (``--concurrency`` threads, or ``--workers`` processes for CPU-bound
scripted runs); ``--resume`` continues the newest run with the same configuration (or ``--run``),
skipping its finished episodes and re-running its ``infra_error`` ones; ``--shard i/N`` (1-based)
runs a deterministic ``1/N`` of the episodes, and the N shards cover every episode exactly once.

Before anything is recorded, the parameters, memories and reasoners are built once and every
model endpoint is checked (``memgym.commands.endpoints``). The work is streamed. Ctrl-C stops the
run at once, keeping every finished episode (exit 130). An episode that ends ``infra_error`` is
retried (``--episode-retries``); a run still holding one, or missing episodes, is incomplete:
flagged, unranked by the leaderboard, and the command exits 1.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Sequence
from typing import Any

from memgym.commands.common import (
    add_results_arg,
    add_retries_arg,
    add_scenario_args,
    add_seed_args,
    canonical_tier,
    check_at_least,
    disk_full,
    err_console,
    overrides,
    plural,
    print_summary,
    print_usage,
    progress,
    say_disk_full,
    say_reasons,
    tier_name,
)
from memgym.commands.model_options import add_model_args, add_shorthand_args
from memgym.commands.trust_options import add_trust_args, apply_trust_args, trust_config

LLM_CONCURRENCY = 4
"""Default ``--concurrency`` when a reasoner calls a model (episodes mostly wait on the network)."""


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
    p.add_argument(
        "--reasoner",
        help="reasoner spec, e.g. scripted (instead of --policies); llm without base_url calls "
        "$OPENAI_BASE_URL, else the public OpenAI API",
    )
    add_shorthand_args(p)
    add_model_args(p)
    add_seed_args(p, 5)
    p.add_argument(
        "--concurrency",
        type=int,
        help=f"episodes run at once on threads (default {LLM_CONCURRENCY} with an LLM reasoner, "
        "else 1)",
    )
    p.add_argument(
        "--workers", type=int, default=1, help="worker processes for scripted runs (default 1)"
    )
    p.add_argument(
        "--executor",
        choices=("local", "ray"),
        default="local",
        help="where episodes run: local threads or processes (default), or Ray tasks",
    )
    p.add_argument(
        "--address",
        help="with --executor ray: join this cluster (auto, ray://HOST:10001); default: start a "
        "local Ray with --workers CPUs (all cores when --workers is 1)",
    )
    add_retries_arg(p)
    add_trust_args(p)
    p.add_argument("--shard", help="run shard i of N (1-based, e.g. 2/4) of the episodes")
    p.add_argument(
        "--resume",
        action="store_true",
        help="continue the newest run with the same configuration: skip finished episodes",
    )
    p.add_argument("--run", type=int, dest="run_id", help="with --resume: the run id to continue")
    add_results_arg(p)
    p.add_argument(
        "--json", action="store_true", help="print the run, its status and every episode as JSON"
    )
    p.set_defaults(func=run)


def pairs_of(args: argparse.Namespace) -> tuple[list[tuple[str, str]], list[str]]:
    """The (memory, reasoner) specs to run and the policy names they came from (if any); the
    model flags (``--max-tokens``, ``--cache``, ...) are added to every spec that calls a model."""
    from memgym.commands import model_options
    from memgym.simulation.policies import HONEST, get_policy

    reasoner = model_options.shorthand(args, args.reasoner)
    flags = model_options.given(args)
    from memgym.tracks import get_track
    from memgym.tracks.interactive import InteractiveTrack

    track = get_track(args.track)
    if isinstance(track, InteractiveTrack):
        if args.policies:
            raise ValueError(
                f"track {args.track!r} is interactive: give --memory and --reasoner (an agent: "
                f"{', '.join(track.default_agents)}, or llm via --model), not --policies"
            )
        agents = [reasoner] if reasoner else list(track.default_agents)
        specs = model_options.apply([s for a in agents for s in (args.memory or "full", a)], flags)
        return list(zip(specs[::2], specs[1::2], strict=True)), []
    for flag, given in (("--memory", args.memory), ("--reasoner", args.reasoner)):
        if given is not None and not given.strip():
            raise ValueError(f"{flag} is empty: give a spec, e.g. --memory window:max_tokens=2000")
    if args.memory or reasoner:
        if args.policies:
            raise ValueError("give either --policies or --memory/--reasoner/--model, not both")
        pair = [args.memory or "agentic:policy=strategic", reasoner or "scripted"]
        memory, reasoner = model_options.apply(pair, flags)
        return [(memory, reasoner)], []
    names = [p.strip() for p in (args.policies or ",".join(HONEST)).split(",") if p.strip()]
    if not names:
        raise ValueError(f"--policies names no policy: {args.policies!r}")
    policies = [get_policy(name) for name in names]
    pairs = [(p.memory, p.reasoner) for p in policies]
    model_options.apply([s for pair in pairs for s in pair], flags)  # a flag no spec takes fails
    return pairs, names


def _check(args: argparse.Namespace) -> None:
    """One-line errors for bad numbers."""
    check_at_least(args, workers=1)
    if args.concurrency is not None and args.concurrency < 1:
        raise ValueError(f"--concurrency must be at least 1, got {args.concurrency}")
    if args.workers > 1 and (args.concurrency or 1) > 1:
        raise ValueError("give either --workers (processes) or --concurrency (threads), not both")
    if args.address is not None and args.executor != "ray":
        raise ValueError("--address needs --executor ray")
    if args.run_id is not None and not args.resume:
        raise ValueError("--run needs --resume")
    check_at_least(args, episode_retries=0)


def _unknown_here(pairs: Any, track: Any) -> None:
    """With no ``--plugin``, a worker knows only what this process registered: a name unknown
    here fails now, naming the known ones, instead of after a worker has started (~3 s)."""
    from memgym.memory import make_memory
    from memgym.memory.registry import memory_module
    from memgym.reasoners import make_reasoner
    from memgym.reasoners.base import reasoner_module
    from memgym.specs import parse_spec

    for memory, reasoner in pairs:
        if memory_module(parse_spec(memory)[0]) is None:
            make_memory(memory, track)  # raises: unknown memory, and the known ones
        if reasoner_module(parse_spec(reasoner)[0]) is None:
            make_reasoner(reasoner, track)


def check_work(
    track_name: str,
    tier: str | None,
    fixed: dict[str, Any],
    pairs: Any,
    isolate: bool = False,
    plugins: Sequence[str] = (),
) -> None:
    """Fail (one line) on a bad parameter, memory or reasoner (an interactive track's agent)
    before any run is recorded: build the track's parameters and each component once (a pair
    that runs behind the trust boundary is built in a worker, which imports ``plugins``)."""

    from memgym.memory import make_memory
    from memgym.reasoners import make_reasoner
    from memgym.run.plugins import locate_all
    from memgym.tracks import get_track

    locate_all(list(plugins))  # located, not imported: a plugin runs only in a worker
    track = get_track(track_name)
    track.params(tier, **fixed)
    track.require()
    if not track.interactive:
        from memgym.run.remote import RemoteSide, shared_worker
        from memgym.run.trust import in_process, plugin_modules

        remote = [(m, r) for m, r in dict.fromkeys(pairs) if not in_process(m, r, track, isolate)]
        if not plugins:
            _unknown_here(remote, track)
        for memory, reasoner in remote:
            worker = shared_worker(plugin_modules((memory, reasoner), plugins), (memory, reasoner))
            with RemoteSide(worker, track_name, memory, reasoner):
                pass
        pairs = [p for p in pairs if p not in remote]
        make_actor: Any = make_reasoner
    else:
        from memgym.interactive.registry import make_agent
        from memgym.run.remote_history import Histories

        histories = Histories(isolate, tuple(plugins))
        remote_memories = [m for m in dict.fromkeys(m for m, _ in pairs) if histories.remote(m)]
        if not plugins:
            _unknown_here([(m, "scripted") for m in remote_memories], track)
        for memory in remote_memories:  # built in a worker: the agent is checked here below
            histories(memory, track_name, "check").close()
        for agent in dict.fromkeys(a for _, a in pairs):
            _close(make_agent(agent, track))
        pairs = [p for p in pairs if p[0] not in remote_memories]
        make_actor = make_agent
    for memory, reasoner in dict.fromkeys(pairs):
        for component in (make_memory(memory, track), make_actor(reasoner, track)):
            _close(component)


def _close(component: object) -> None:
    close = getattr(component, "close", None)
    if callable(close):
        close()


def run(args: argparse.Namespace) -> int:
    from memgym.commands.endpoints import preflight
    from memgym.extras import require
    from memgym.run.results import ResultsStore
    from memgym.run.work import parse_shard, shard, stream
    from memgym.specs import parse_spec

    _check(args)
    apply_trust_args(args)
    pairs, names = pairs_of(args)
    fixed = overrides(args.param)
    check_work(args.track, args.tier, fixed, pairs, args.isolate, args.plugin)  # no network yet
    args.tier = canonical_tier(args.track, args.tier)  # --tier lite or none: the same run
    preflight([spec for pair in pairs for spec in pair], err_console.print)
    if args.executor == "ray":
        require("ray", "the Ray executor", "ray")
    seeds = range(args.seed, args.seed + args.seeds)
    items: Any = stream(args.track, args.tier, seeds, fixed, pairs, args.isolate, args.plugin)
    planned = len(seeds) * len(pairs)
    if args.shard:
        items = shard(list(items), *parse_shard(args.shard))
        planned = len(items)
        if not planned:
            raise ValueError(
                f"--shard {args.shard} holds no episode of the {len(seeds) * len(pairs)} planned:"
                " use fewer shards"
            )
    llm = any(parse_spec(r)[0] == "llm" for _, r in pairs)
    concurrency = args.concurrency or (LLM_CONCURRENCY if llm else 1)
    config: dict[str, Any] = {
        "command": "run",
        "track": args.track,
        "tier": args.tier,
        "seeds": list(seeds),
        "policies": names,
        "pairs": [list(p) for p in pairs],
        "overrides": fixed,
        "shard": args.shard,
        **trust_config(args),
    }
    start = time.perf_counter()
    with ResultsStore(args.results) as store:
        run_id = run_to_resume(store, config, args) if args.resume else None
        new = run_id is None
        if run_id is None:
            run_id = store.start_run(config, planned)
        done = store.done_keys(run_id) if not new else set()
        todo = (item for item in items if item.key not in done)
        left = planned - len(done)
        try:
            _execute(
                store,
                run_id,
                todo,
                concurrency,
                args.workers,
                args.executor,
                args.address,
                args.episode_retries,
                left,
            )
        except KeyboardInterrupt:
            status = store.status(run_id)
            err_console.print(
                f"[yellow]interrupted[/]: {plural(status.done, 'episode')} of {planned} saved in "
                f"run {run_id} of {args.results}; `memgym run ... --resume` continues it"
            )
            return 130
        except BaseException as exc:
            if disk_full(exc):
                saved = f"{plural(store.status(run_id).done, 'episode')} of {planned} saved in run"
                return say_disk_full(
                    exc, f"{saved} {run_id} of {args.results}", "memgym run ... --resume"
                )
            if new:
                store.drop_run_if_empty(run_id)
            raise
        status = store.status(run_id)
        if args.json:
            print(json.dumps(_json(store, run_id, args, status, seeds, fixed, pairs), indent=2))
            return 0 if status.complete else 1
        tier = tier_name(args.track, args.tier)
        title = f"{args.track} / {tier} / {plural(len(seeds), 'seed')}"
        policies = dict(zip(pairs, names))
        caption = None if status.complete else f"run {run_id} is {status.describe()}"
        print_summary(
            store.episodes(run_id, compactions=False),
            title + (f" / shard {args.shard}" if args.shard else ""),
            policies,
            pairs,
            caption,
        )
        print_usage(store.episodes(run_id, compactions=False))
    err_console.print(
        f"{left} episodes run, {planned - left} resumed, in "
        f"{time.perf_counter() - start:.2f} s; results in {args.results} (run {run_id})"
    )
    if not status.complete:
        err_console.print(
            f"[red]run {run_id} is {status.describe()}[/]: its scores leave those episodes out, "
            "so the leaderboard does not rank it; `memgym run ... --resume` re-runs them"
        )
        with ResultsStore.open_read(args.results) as store:
            say_reasons(store.episodes(run_id, compactions=False))
        return 1
    return 0


def _json(
    store: Any,
    run_id: int,
    args: argparse.Namespace,
    status: Any,
    seeds: range,
    fixed: dict[str, Any],
    pairs: list[tuple[str, str]],
) -> dict[str, Any]:
    """``--json``: the run, its status and every episode (in work order, compactions included)."""
    from memgym.run.work import stream

    stored = dict(store.keyed_episodes(run_id, compactions=True))
    order = [i.key for i in stream(args.track, args.tier, seeds, fixed, pairs) if i.key in stored]
    return {
        "run": run_id,
        "results": args.results,
        "complete": status.complete,
        "status": status.describe(),
        "planned": status.planned,
        "infra_error": status.infra,
        "episodes": [stored[k].model_dump(mode="json") for k in order],
    }


def run_to_resume(store: Any, config: dict[str, Any], args: argparse.Namespace) -> int | None:
    """The run to continue (None: none matches; a note says a new run starts)."""
    if args.run_id is not None:
        if store.run_config(args.run_id) != json.loads(json.dumps(config)):
            raise ValueError(f"run {args.run_id} was started with other arguments; cannot resume")
        return int(args.run_id)
    run_id = store.find_run(config)
    if run_id is None:
        err_console.print(
            f"--resume: no run in {args.results} was started with these arguments; "
            "starting a new one"
        )
    return run_id


def live_stats(snapshot: Any) -> str:
    """The progress bar's usage text: LLM calls, tokens, retries and errors, or nothing for a
    run that has made no call and had no failure (a scripted run)."""
    from memgym.llm.usage import progress_stats

    if not snapshot.usage.get("calls") and not snapshot.infra:
        return ""
    return progress_stats(snapshot.usage, snapshot.infra)


def _execute(
    store: Any,
    run_id: int,
    items: Any,
    concurrency: int,
    workers: int,
    executor: str = "local",
    address: str | None = None,
    retries: int = 0,
    total: int = 0,
) -> None:
    """Run ``items`` (streamed) into run ``run_id`` with a live progress bar; LLM usage shows in
    it only once there is some."""
    from rich.progress import TextColumn

    from memgym.run.runner import Snapshot, run_concurrent, run_processes

    with progress(TextColumn("{task.fields[stats]}")) as bar:
        task = bar.add_task("episodes", total=total, stats="")

        def observe(s: Snapshot) -> None:
            bar.update(task, completed=s.done, stats=live_stats(s))

        options: dict[str, Any] = {"retries": retries, "keep": False, "total": total}
        if executor == "ray":
            from memgym.run.ray_executor import run_ray

            cpus = None if address is not None or workers == 1 else workers
            run_ray(items, store, run_id, address, cpus, observe, **options)
        elif workers > 1:
            run_processes(items, store, run_id, workers, observe, **options)
        else:
            run_concurrent(items, store, run_id, concurrency, observe, **options)
