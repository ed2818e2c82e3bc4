"""``memgym compare``: one reasoner, the same scenarios, several memories, memory-isolated scores.

``none``, ``oracle`` and ``full`` are always run, since the isolated score is defined against the
first two. Each question is also asked closed-book (empty view); questions answered right that
way are counted as leaked and left out of the isolated scores. The probe's LLM calls are stored in
the results file (``run_usage``, part ``closed_book``) and counted in the usage line. Answers lost
to a context overflow are scored wrong and counted per memory; a cell left empty says why. ``--workers N`` runs the seeds on
N spawned processes, with results identical to one process. With ``--reasoner llm:base_url=...``
against ``memgym serve`` the table equals the scripted reasoner's, number for number.
"""

from __future__ import annotations

import argparse
import json
import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from memgym.commands.common import (
    add_resamples_arg,
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
    progress,
    say_disk_full,
    say_reasons,
)
from memgym.commands.comparison import Comparison
from memgym.commands.model_options import add_model_args, add_shorthand_args
from memgym.commands.tables import Column, fit
from memgym.commands.trust_options import add_trust_args, apply_trust_args, trust_config
from memgym.labels import short_label
from memgym.llm.usage import add_usage, describe
from memgym.reasoners.base import Reasoner
from memgym.scoring.isolation import QuestionKey
from memgym.tokens import count_tokens
from memgym.types import EpisodeResult, Question, View

REQUIRED = ("none", "oracle", "full")
INTERACTIVE_REQUIRED = ("none", "full")
INTERACTIVE_AGENT = "context"
"""The agent ``compare`` uses on an interactive track when none is named: the scripted probe
that acts only on what its view still shows."""
DEFAULT_MEMORIES = ("window", "mask", "summary", "rag-bm25")


class ViewMeter(Reasoner):
    """Passes every question on to ``inner`` and counts the tokens of the views it was shown."""

    def __init__(self, inner: Reasoner) -> None:
        self.inner = inner
        self.tokens = 0
        self.questions = 0

    name = "view-meter"

    def reset(self, brief: str, params: Mapping[str, Any]) -> None:
        self.inner.reset(brief, params)

    def answer(self, question: Question, view: View) -> str:
        self.questions += 1
        self.tokens += count_tokens(view.text())
        return self.inner.answer(question, view)

    def usage(self) -> dict[str, float]:
        return self.inner.usage()

    def model_id(self) -> str:
        from memgym.run.episode import model_id

        return model_id(self.inner)

    def config(self) -> str:
        return self.inner.config()


def memory_specs(specs: Sequence[str], track_name: str) -> list[str]:
    """``none``, ``oracle``, ``full`` and then ``specs``, each as its canonical config, once.
    Interactive tracks have no oracle memory: ``full`` (nothing compacted) is their ceiling."""
    return list(memory_runs(specs, track_name))


def memory_runs(
    specs: Sequence[str], track_name: str, plugins: Sequence[str] = ()
) -> dict[str, str]:
    """canonical config -> the spec to run it with (the first given: a config leaves out options
    such as ``cache`` or ``timeout``), for ``none``, ``oracle`` (not on interactive tracks),
    ``full`` and then ``specs``. A memory that is not memgym's own is built in a worker
    importing ``plugins`` (``memgym.run.remote``), which tells its config."""
    from memgym.memory import make_memory
    from memgym.memory.registry import memory_module
    from memgym.run.trust import trusted
    from memgym.specs import parse_spec
    from memgym.tracks import get_track

    track = get_track(track_name)
    required = INTERACTIVE_REQUIRED if track.interactive else REQUIRED
    runs: dict[str, str] = {}
    for spec in (*required, *specs):
        module = memory_module(parse_spec(spec)[0])
        if module is None and not plugins:  # unknown here, and no plugin to know it: say so now
            make_memory(spec, track)  # raises, naming the known memories
        if not trusted(module):
            runs.setdefault(_remote_config(track, spec, plugins), spec)
            continue
        memory = make_memory(spec, track)
        runs.setdefault(memory.config(), spec)
        _close(memory)
    return runs


def _remote_config(track: Any, spec: str, plugins: Sequence[str]) -> str:
    """The config of the memory ``spec`` names, as a worker importing ``plugins`` builds it
    (on an interactive track: as its history memory)."""
    from memgym.run.remote import RemoteSide, shared_worker
    from memgym.run.trust import plugin_modules

    if track.interactive:
        from memgym.run.remote_history import Histories

        history = Histories(plugins=tuple(plugins))(spec, track.name, "config")
        history.close()
        return history.config()
    worker = shared_worker(plugin_modules((spec,), plugins), (spec, "scripted"))
    with RemoteSide(worker, track.name, spec, "scripted") as side:
        return side.memory_config


@dataclass
class SeedRun:
    """One seed's episodes (each with its compaction records, unless restored from a results
    file), view counts per memory spec, compactions per episode and the closed-book probe's
    leaked questions and calls (none on an interactive track)."""

    results: list[EpisodeResult]
    tokens: dict[str, int]
    asked: dict[str, int]
    leaked: set[tuple[str, str]]
    probe_usage: dict[str, float] = field(default_factory=dict)
    compactions: list[int] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        """What the table needs of this seed besides its episodes (``compare --resume`` stores
        it; the probe's usage is stored beside it)."""
        return {
            "tokens": self.tokens,
            "asked": self.asked,
            "leaked": sorted(self.leaked),
            "compactions": self.compactions,
        }

    @classmethod
    def restore(cls, summary: Mapping[str, Any], results: list[EpisodeResult]) -> SeedRun:
        """The seed run a stored ``summary`` and its stored episodes describe."""
        return cls(
            results,
            dict(summary["tokens"]),
            dict(summary["asked"]),
            {(str(h), str(q)) for h, q in summary["leaked"]},
            dict(summary.get("probe_usage", {})),
            list(summary["compactions"]),
        )


def run_seed(
    track_name: str,
    tier: str | None,
    seed: int,
    specs: Sequence[str],
    reasoner: str | Callable[[], Reasoner],
    fixed: Mapping[str, Any],
    retries: int = 0,
    isolate: bool = False,
    plugins: Sequence[str] = (),
) -> SeedRun:
    """Every memory of ``specs`` on one seed's scenario (drawn under the salt, if one is set),
    plus the closed-book probe; each episode gets a fresh reasoner, closed afterwards (an LLM
    reasoner's connections and loop). An episode that ends ``infra_error`` is run again, up to
    ``retries`` times. A memory that is not memgym's own, or any with ``isolate``, runs behind
    the trust boundary (``memgym.run.trust``) with a worker importing ``plugins``."""
    from memgym.caches import next_scenario
    from memgym.llm.usage import component_usage
    from memgym.memory import make_memory
    from memgym.reasoners import make_reasoner
    from memgym.run.episode import evaluate
    from memgym.run.remote import evaluate_remote
    from memgym.run.trust import in_process
    from memgym.salt import evaluation_seed, stamp_seed
    from memgym.scoring.isolation import closed_book
    from memgym.tracks import get_track

    track = get_track(track_name)

    def new_reasoner() -> Reasoner:
        return make_reasoner(reasoner, track) if isinstance(reasoner, str) else reasoner()

    def local(spec: str) -> bool:
        return not isinstance(reasoner, str) or in_process(spec, reasoner, track, isolate)

    scenario = track.generate(evaluation_seed(track.name, seed), tier, **dict(fixed))
    next_scenario(scenario.hash)
    probe = new_reasoner()
    try:
        leaked = closed_book(scenario, probe)
    finally:
        _close(probe)
    run = SeedRun([], {}, {}, leaked, component_usage(probe))
    for spec in specs:
        for _ in range(retries + 1):
            if not local(spec):
                views: dict[str, int] = {}
                result = evaluate_remote(scenario, spec, str(reasoner), plugins, views)
                tokens, asked = views.get("tokens", 0), views.get("asked", 0)
            else:
                meter = ViewMeter(new_reasoner())
                memory = make_memory(spec, track)
                try:
                    result = evaluate(scenario, memory, meter)
                finally:
                    _close(meter.inner)
                    _close(memory)
                tokens, asked = meter.tokens, meter.questions
            if result.status != "infra_error":
                break
        run.results.append(stamp_seed(result, seed))
        run.tokens[spec], run.asked[spec] = tokens, asked
        run.compactions.append(len(result.compactions))
    if scenario.fresh_hash() != scenario.hash:  # every episode of the seed shared it
        for result in run.results:
            result.status = "tampered"
    return run


def _close(component: object) -> None:
    close = getattr(component, "close", None)
    if callable(close):
        close()


def _seed_task(args: tuple[Any, ...]) -> SeedRun:
    return run_seed(*args)


def seed_runs(
    track_name: str,
    tier: str | None,
    seeds: Sequence[int],
    specs: Sequence[str],
    reasoner: str | Callable[[], Reasoner],
    fixed: Mapping[str, Any],
    workers: int,
    retries: int = 0,
    isolate: bool = False,
    plugins: Sequence[str] = (),
) -> Iterator[SeedRun]:
    """``run_seed`` for every seed, in seed order: on a worker thread, or on ``workers``
    processes (spawned, so no thread or connection of this process is inherited). Either way
    Ctrl-C stops it at once (``memgym.pool``), after the seeds already done."""
    from memgym.pool import finished

    tasks = (
        (track_name, tier, seed, list(specs), reasoner, dict(fixed), retries, isolate, plugins)
        for seed in seeds
    )
    processes = workers > 1 and len(seeds) > 1
    for _, run in finished(
        tasks,
        _seed_task,
        min(workers, len(seeds)) if processes else 1,
        processes=processes,
        start_method="spawn",
        ordered=True,
    ):
        yield run


def run_comparison(
    track_name: str,
    tier: str | None,
    seeds: Sequence[int],
    memories: Sequence[str],
    reasoner: str | Callable[[], Reasoner] = "scripted",
    fixed: Mapping[str, Any] | None = None,
    on_episode: Callable[[EpisodeResult], None] | None = None,
    resamples: int = 1000,
    workers: int = 1,
    retries: int = 0,
    on_seed: Callable[[int, SeedRun], None] | None = None,
    isolate: bool = False,
    plugins: Sequence[str] = (),
    done: Mapping[int, SeedRun] | None = None,
) -> Comparison:
    """Run every memory of ``memory_runs(memories)`` with one reasoner on each seed's scenario.

    ``reasoner`` is a spec or a factory (for reasoners not in the registry; only with one
    worker). ``workers`` above 1 runs the seeds on that many processes, with the same results.
    ``on_episode`` sees each result with its compaction records (to store them), in seed and
    memory order; nothing of it is kept after that but its scored answers (one entry per
    question, for the paired bootstrap) and running sums, so memory stays flat in the number of
    episodes. ``on_seed`` sees each seed's run once all its episodes went to ``on_episode``.
    ``done``: seeds already run (restored from a results file): they are not run again, and
    neither callback sees them; the comparison equals one that ran them. ``retries``,
    ``isolate`` and ``plugins``: see ``run_seed``.
    """
    from memgym.scoring.isolation import add_answers
    from memgym.scoring.isolation import isolate as isolated_scores

    if not isinstance(workers, int) or workers < 1:
        raise ValueError(f"compare: workers must be a positive integer, got {workers!r}")
    if workers > 1 and not isinstance(reasoner, str):
        raise TypeError("compare: workers above 1 need the reasoner as a spec string")
    named = memory_runs(memories, track_name, plugins)
    specs, to_run = list(named), list(named.values())
    done = done or {}
    left = [seed for seed in seeds if seed not in done]
    if _interactive(track_name):
        agent = INTERACTIVE_AGENT if reasoner == "scripted" else reasoner
        if not isinstance(agent, str):
            raise TypeError("compare: an interactive track needs the agent as a spec string")
        from memgym.interactive.compare import session_runs
        from memgym.run.remote_history import Histories

        histories = Histories(isolate, tuple(plugins))
        sessions = session_runs(
            track_name, tier, left, specs, agent, fixed or {}, workers, retries, histories
        )
        fresh = _seed_groups(sessions, len(specs))
        return _interactive_comparison(
            (track_name, tier, seeds, agent, fixed or {}), specs,
            _in_seed_order(seeds, done, fresh), resamples, on_episode, on_seed,
        )  # fmt: skip
    table: dict[str, dict[QuestionKey, bool]] = {}  # streamed: no episode is kept
    usage: dict[str, float] = {}
    tokens = dict.fromkeys(specs, 0)
    asked = dict.fromkeys(specs, 0)
    compactions = dict.fromkeys(specs, 0)
    leaked: set[tuple[str, str]] = set()
    statuses: dict[str, dict[str, int]] = {s: {} for s in specs}
    probe: dict[str, float] = {}
    name = ""
    fresh = seed_runs(
        track_name, tier, left, to_run, reasoner, fixed or {}, workers, retries, isolate, plugins
    )
    for seed, run, ran in _in_seed_order(seeds, done, fresh):
        if ran:  # called here, not in the generator: no earlier seed is alive meanwhile
            _hand_on(seed, run, on_episode, on_seed)
        leaked |= run.leaked
        probe = add_usage([probe, run.probe_usage])
        for i, (spec, given, result) in enumerate(zip(specs, to_run, run.results, strict=True)):
            counts = statuses[spec]
            for answer in result.answers:
                if answer.axis != "abstention":
                    counts[answer.status] = counts.get(answer.status, 0) + 1
            name = result.reasoner
            tokens[spec] += run.tokens[given]
            asked[spec] += run.asked[given]
            compactions[spec] += run.compactions[i]
            add_answers(table, result)
            usage = add_usage([usage, result.usage])
    scored = set().union(*table.values())
    return _comparison(
        (track_name, tier, seeds, name, fixed),
        (tokens, asked, compactions),
        scores=isolated_scores(table, leaked, resamples=resamples),
        leaked=sorted(f"{h[:12]}:{q}" for h, q in leaked & scored),
        statuses=statuses,
        usage=usage,
        probe_usage=probe,
    )


def _in_seed_order(
    seeds: Sequence[int], done: Mapping[int, SeedRun], fresh: Iterator[SeedRun]
) -> Iterator[tuple[int, SeedRun, bool]]:
    """(seed, run, whether it ran now) for every seed in seed order: ``done``'s run as it is,
    the others the next of ``fresh`` (run in the same order). The table is summed in this
    order, so a resumed comparison equals a whole one."""
    for seed in seeds:
        run = done.get(seed)
        yield (seed, run, False) if run is not None else (seed, next(fresh), True)


def _hand_on(
    seed: int,
    run: SeedRun,
    on_episode: Callable[[EpisodeResult], None] | None,
    on_seed: Callable[[int, SeedRun], None] | None,
) -> None:
    """Each episode of a seed just run to ``on_episode``, then the seed's run to ``on_seed``."""
    if on_episode is not None:
        for result in run.results:
            on_episode(result)
    if on_seed is not None:
        on_seed(seed, run)


def _seed_groups(sessions: Iterator[EpisodeResult], size: int) -> Iterator[SeedRun]:
    """An interactive track's sessions (seed-major, ``size`` memories each) as seed runs."""
    while True:
        results = list(islice(sessions, size))
        if not results:
            return
        yield SeedRun(results, {}, {}, set(), compactions=[len(r.compactions) for r in results])


def _comparison(
    run: tuple[str, str | None, Sequence[int], str, Mapping[str, Any] | None],
    counts: tuple[Mapping[str, float], Mapping[str, int], Mapping[str, int]],
    **fields: Any,
) -> Comparison:
    """The ``Comparison`` of one run (track, tier, seeds, reasoner or agent, fixed params) from
    each memory's summed view tokens, questions (or tasks) and compactions (memories in the
    order of ``counts``' keys); ``fields``: the rest of it (scores, usage ...)."""
    track_name, tier, seeds, name, fixed = run
    tokens, asked, compactions = counts
    episodes = max(1, len(seeds))
    return Comparison(
        track=track_name,
        tier=tier,
        seeds=list(seeds),
        reasoner=name,
        params=dict(fixed or {}),
        tokens_per_question={s: t / asked[s] if asked[s] else 0.0 for s, t in tokens.items()},
        compactions_per_episode={s: n / episodes for s, n in compactions.items()},
        **fields,
    )


def _interactive(track_name: str) -> bool:
    from memgym.tracks import get_track

    return get_track(track_name).interactive


def _interactive_comparison(
    run: tuple[str, str | None, Sequence[int], str, Mapping[str, Any]],
    specs: Sequence[str],
    seed_runs: Iterator[tuple[int, SeedRun, bool]],
    resamples: int,
    on_episode: Callable[[EpisodeResult], None] | None,
    on_seed: Callable[[int, SeedRun], None] | None,
) -> Comparison:
    """``run_comparison`` for an interactive track: every memory compacts the same agent's
    history on the same sessions; tasks are paired, ``full`` is the ceiling, no closed-book
    probe (``none`` already shows what the agent does with no history at all). ``run``: track,
    tier, seeds, agent and fixed params; ``seed_runs``: as ``_in_seed_order`` yields them."""
    from memgym.interactive.episode import outcome_counts
    from memgym.scoring.isolation import add_answers, isolate

    table: dict[str, dict[QuestionKey, bool]] = {}  # streamed: no episode is kept
    tokens = dict.fromkeys(specs, 0.0)
    tasks = dict.fromkeys(specs, 0)
    compactions = dict.fromkeys(specs, 0)
    rewards = dict.fromkeys(specs, 0.0)
    outcomes: dict[str, dict[str, int]] = {}
    usage: dict[str, float] = {}
    track_name, tier, seeds, name, fixed = run
    for seed, seed_run, ran in seed_runs:
        if ran:
            _hand_on(seed, seed_run, on_episode, on_seed)
        for result, compacted in zip(seed_run.results, seed_run.compactions, strict=True):
            name = result.reasoner
            tokens[result.memory] += result.usage.get("view_tokens", 0.0)
            tasks[result.memory] += len(result.answers)
            rewards[result.memory] += result.composite * result.questions
            compactions[result.memory] += compacted
            add_answers(table, result)
            usage = add_usage([usage, result.usage])
            for memory, classes in outcome_counts([result]).items():
                counts = outcomes.setdefault(memory, {})
                for cls, n in classes.items():
                    counts[cls] = counts.get(cls, 0) + n
    return _comparison(
        (track_name, tier, seeds, name, fixed),
        (tokens, tasks, compactions),
        scores=isolate(table, oracle="full", resamples=resamples),
        usage=usage,
        rewards={s: _mean_reward(rewards[s], outcomes.get(s, {})) for s in specs},
        outcomes={s: outcomes.get(s, {}) for s in specs},
        statuses={s: _statuses(outcomes.get(s, {})) for s in specs},
    )


def _mean_reward(total: float, outcomes: Mapping[str, int]) -> float:
    """Mean task reward over the scored tasks (``infra_error`` ones are left out)."""
    scored = sum(n for cls, n in outcomes.items() if cls != "infra_error")
    return total / scored if scored else math.nan


def _statuses(outcomes: Mapping[str, int]) -> dict[str, int]:
    """Outcome classes as answer statuses (solved and failed are both ``ok``)."""
    statuses: dict[str, int] = {}
    for cls, n in outcomes.items():
        status = "ok" if cls in ("solved", "failed") else cls
        statuses[status] = statuses.get(status, 0) + n
    return statuses


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the ``compare`` subcommand."""
    p = sub.add_parser("compare", help="compare memories for one reasoner by memory-isolated score")
    add_scenario_args(p)
    p.add_argument(
        "--memories",
        nargs="+",
        default=list(DEFAULT_MEMORIES),
        metavar="SPEC",
        help="memory specs, space-separated (none, oracle and full are always added; none and "
        f"full on an interactive track; default: {' '.join(DEFAULT_MEMORIES)})",
    )
    p.add_argument(
        "--reasoner",
        help="reasoner spec (default scripted; on an interactive track an agent spec, default "
        f"{INTERACTIVE_AGENT}); llm without base_url calls $OPENAI_BASE_URL, else the public "
        "OpenAI API",
    )
    add_shorthand_args(p)
    add_model_args(p)
    add_seed_args(p, 10)
    add_resamples_arg(p)
    p.add_argument(
        "--workers",
        type=int,
        default=1,
        help="processes running seeds in parallel (default 1; results are the same)",
    )
    add_retries_arg(p)
    add_trust_args(p)
    p.add_argument(
        "--resume",
        action="store_true",
        help="continue the newest comparison with the same arguments: its finished seeds are "
        "read back, the others run",
    )
    p.add_argument("--run", type=int, dest="run_id", help="with --resume: the run id to continue")
    add_results_arg(p)
    p.add_argument("--json", action="store_true", help="print the comparison as JSON")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from memgym.commands import model_options
    from memgym.commands.endpoints import preflight
    from memgym.commands.run import check_work, run_to_resume
    from memgym.pool import interrupt_requested
    from memgym.run.compare_seeds import save_seed
    from memgym.run.results import ResultsStore

    check_at_least(args, resamples=1, workers=1, episode_retries=0)
    apply_trust_args(args)
    if args.run_id is not None and not args.resume:
        raise ValueError("--run needs --resume")
    seeds = list(range(args.seed, args.seed + args.seeds))
    *memories, reasoner = model_options.apply(
        [
            *memory_runs(args.memories, args.track, args.plugin).values(),
            model_options.shorthand(args, args.reasoner) or "scripted",
        ],
        model_options.given(args),
    )
    fixed = overrides(args.param)
    actor = reasoner
    if _interactive(args.track) and actor == "scripted":
        actor = INTERACTIVE_AGENT
    pairs = [(spec, actor) for spec in memories]
    check_work(args.track, args.tier, fixed, pairs, args.isolate, args.plugin)
    args.tier = canonical_tier(args.track, args.tier)  # --tier lite or none: the same run
    preflight([reasoner, *memories], err_console.print)
    planned = len(seeds) * len(memories)
    config = {
        "command": "compare",
        "track": args.track,
        "tier": args.tier,
        "seeds": seeds,
        "memories": memories,
        "reasoner": actor,
        "overrides": fixed,
        "seed_records": True,  # it stores what --resume reads back (older comparisons did not)
        **trust_config(args),
    }
    with ResultsStore(args.results) as store:
        run_id = run_to_resume(store, config, args) if args.resume else None
        new = run_id is None
        try:
            if run_id is None:
                run_id = store.start_run(config, planned)
                restored: Mapping[int, SeedRun] = {}
            else:
                restored = _StoredSeeds(store, run_id, len(memories))
                err_console.print(
                    f"resuming run {run_id}: {plural(len(restored), 'seed')} of {len(seeds)} "
                    "finished before"
                )
            with progress() as bar:
                task = bar.add_task(
                    "episodes", total=planned, completed=len(restored) * len(memories)
                )

                def keep(result: EpisodeResult) -> None:
                    if interrupt_requested():  # a seed's episodes take seconds to store
                        raise KeyboardInterrupt
                    store.add_episode(run_id, result)
                    bar.advance(task)

                def keep_seed(seed: int, seed_run: SeedRun) -> None:
                    save_seed(store, run_id, seed, seed_run.summary(), seed_run.probe_usage)

                comparison = run_comparison(
                    args.track,
                    args.tier,
                    seeds,
                    memories,
                    reasoner,
                    fixed,
                    keep,
                    args.resamples,
                    args.workers,
                    args.episode_retries,
                    keep_seed,
                    args.isolate,
                    args.plugin,
                    restored,
                )
        except KeyboardInterrupt:
            err_console.print(
                f"[yellow]interrupted[/]: {_saved(store, run_id, seeds, args.results)} (no "
                "comparison: it needs every seed); `memgym compare ... --resume` continues it"
            )
            return 130
        except BaseException as exc:
            if disk_full(exc):
                saved = _saved(store, run_id, seeds, args.results)
                return say_disk_full(exc, saved, "memgym compare ... --resume")
            if new and run_id is not None:
                store.drop_run_if_empty(run_id)
            raise
        status = store.status(run_id)
    if args.json:
        data = comparison.to_json()
        data.update(run=run_id, complete=status.complete, status=status.describe())
        print(json.dumps(data, indent=2))
        return 0 if status.complete else 1
    print_comparison(
        comparison,
        None
        if status.complete
        else f"run {run_id} is {status.describe()}: infra_error answers are left out",
    )
    err_console.print(f"results in {args.results} (run {run_id})")
    if not status.complete:
        err_console.print(f"[red]run {run_id} is {status.describe()}[/]")
        with ResultsStore.open_read(args.results) as store:
            say_reasons(store.episodes(run_id, compactions=False))
        return 1
    return 0


class _StoredSeeds(Mapping[int, SeedRun]):
    """The seeds a stored comparison finished whole, each read back from the results file when
    asked for (what a kill left of the others is deleted when this is made: they run again)."""

    def __init__(self, store: Any, run_id: int, memories: int) -> None:
        from memgym.run.compare_seeds import finished_seeds

        self.store, self.run_id = store, run_id
        self.summaries = finished_seeds(store, run_id, memories)

    def __getitem__(self, seed: int) -> SeedRun:
        from memgym.run.compare_seeds import seed_episodes

        summary = self.summaries[seed]  # KeyError for a seed not finished
        return SeedRun.restore(summary, seed_episodes(self.store, self.run_id, seed))

    def __contains__(self, seed: object) -> bool:  # without reading the episodes
        return seed in self.summaries

    def __iter__(self) -> Iterator[int]:
        return iter(self.summaries)

    def __len__(self) -> int:
        return len(self.summaries)


def _saved(store: Any, run_id: int | None, seeds: Sequence[int], results: str) -> str:
    """What a stopped comparison keeps: its whole seeds (a seed cut short runs again)."""
    from memgym.run.compare_seeds import seeds_saved

    if run_id is None:
        return f"nothing saved in {results}"
    whole = seeds_saved(store, run_id)
    return f"{whole} of {plural(len(seeds), 'seed')} saved whole in run {run_id} of {results}"


COMPARE_COLUMNS = (
    Column("accuracy", "accu-\nracy", priority=5),
    Column("isolated"),
    Column("95% CI", priority=4),
    Column("acc | oracle right", "acc |\noracle\nright", priority=3),
    Column("tokens / question", "tokens\n/ ques-\ntion", priority=2),
    Column("compactions / episode", "compac-\ntions /\nepisode", priority=1),
)


def print_comparison(comparison: Comparison, problem: str | None = None) -> None:
    """The per-memory table, memories by short labels (``--json`` has the full specs); fits
    the terminal's width."""
    from memgym.commands.common import console, tier_name
    from memgym.labels import distinct, reasoner_label

    if comparison.interactive:
        from memgym.commands.interactive_table import print_interactive

        return print_interactive(comparison, problem)
    first = next(iter(comparison.scores.values()), None)
    tier = tier_name(comparison.track, comparison.tier)
    if comparison.params:
        tier += " " + ",".join(f"{k}={v}" for k, v in comparison.params.items())
    seeds = plural(len(comparison.seeds), "seed")
    rows = comparison.rows()
    labels = distinct([row["memory"] for row in rows])
    caption = (
        f"{first.questions if first else 0} scored questions, "
        f"{len(comparison.leaked)} leaked closed-book (excluded from isolated scores)"
    )
    if problem:
        caption += f"\n{problem}"
    table = [
        [
            labels[row["memory"]],
            _num(row["accuracy"]),
            _num(row["isolated"]),
            f"[{_num(row['ci_low'])}, {_num(row['ci_high'])}]",
            _num(row["oracle_right"]),
            f"{row['tokens_per_question']:,.0f}",
            f"{row['compactions_per_episode']:.1f}",
        ]
        for row in rows
    ]
    title = (
        f"{comparison.track} / {tier} / {seeds} / reasoner {reasoner_label(comparison.reasoner)}"
    )
    head = Column("memory", justify="left")
    console.print(fit(title, (head, *COMPARE_COLUMNS), table, console.width, console, caption))
    notes = comparison.notes()
    if notes:
        console.print("\n".join(short_label(n) for n in notes))
    usage, probe = comparison.usage, comparison.probe_usage
    if usage.get("calls") or probe.get("calls"):
        console.print(f"usage: {describe(add_usage([usage, probe]))}")
        console.print(f"  of which the closed-book probe: {describe(probe)}")


def _num(x: float) -> str:
    return "-" if math.isnan(x) else f"{x:.3f}"
