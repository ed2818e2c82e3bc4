"""``memgym eval``: one model on the benchmark's fixed protocol, one leaderboard entry.

``memgym eval --model M --base-url U`` runs every track, seed and memory the protocol names
(``memgym.protocol.spec``; ``--protocol smoke`` is the small one) with the ``llm`` reasoner, on
the run machinery of ``memgym run`` (results file, ``--resume``, ``--shard``, ``--cache``,
``--executor ray``, the progress view). On a protocol with interactive tracks (smoke v10 on)
the model is also the ``llm`` agent of tau2, swe and web sessions. ``--tracks`` runs a subset
(the entry names the tracks it leaves out); every subset, like every shard, joins the same run,
so tau2 can run from τ²-bench's own venv and ``--resume`` from the other writes the whole
entry. Before anything runs it checks each engine the remaining work needs (one line per missing
one), then prints the estimated calls and tokens per track and the time at ``--throughput``; at
the end it writes the entry (JSON, ``--entry``) and the HTML report (``--report``) and prints
the scores with their intervals.

Other modes: ``--estimate-only`` prints the estimate and stops; ``--fingerprint`` prints each
protocol's fingerprint against the record (``--write`` records it, refusing a changed one whose
version was not bumped); ``--table ENTRY ...`` prints the model x track table of entries, one
table per protocol version (``--markdown`` as Markdown).

``--plugin MODULE --memories SPEC ...`` evaluates third-party memories beside the protocol's own,
on every chosen track, in a sandboxed worker (docs/trust.md): the entry lists them per track in
``plugin_memories`` (labelled with what ran them), apart from the score, which with the rest of
the entry is what it would be without them.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

from rich.markup import escape

from memgym.commands.common import (
    add_results_arg,
    add_retries_arg,
    check_at_least,
    check_output,
    check_results_output,
    console,
    disk_full,
    err_console,
    plural,
    progress,
    say_disk_full,
)
from memgym.commands.eval_estimate import DEFAULT_THROUGHPUT, estimate_and_print, throughput_of
from memgym.commands.model_options import add_model_args
from memgym.commands.trust_options import add_trust_args, apply_trust_args
from memgym.files import write_atomic


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the ``eval`` subcommand."""
    p = sub.add_parser(
        "eval", help="evaluate a model on the benchmark's fixed protocol: one leaderboard entry"
    )
    p.add_argument("--model", help="model name at the endpoint")
    p.add_argument("--base-url", help="OpenAI-compatible endpoint, e.g. http://localhost:8000/v1")
    p.add_argument(
        "--api-key-env", help="environment variable holding the API key (default OPENAI_API_KEY)"
    )
    p.add_argument(
        "--protocol", default="standard", help="standard (default) or smoke (CI, small models)"
    )
    p.add_argument(
        "--tracks",
        nargs="+",
        metavar="TRACK",
        help="run only these tracks of the protocol (the entry names those it leaves out)",
    )
    add_model_args(p)
    p.add_argument(
        "--concurrency", type=int, default=4, help="episodes run at once on threads (default 4)"
    )
    p.add_argument(
        "--executor", choices=("local", "ray"), default="local", help="local threads or Ray tasks"
    )
    p.add_argument("--address", help="with --executor ray: the cluster to join (auto, ray://...)")
    add_retries_arg(p)
    p.add_argument("--shard", help="run shard i of N (1-based) into the same results file")
    p.add_argument(
        "--resume",
        action="store_true",
        help="continue this model's runs of the protocol in the results file (any shard)",
    )
    add_results_arg(p)
    p.add_argument("--entry", default="memgym-eval.json", help="leaderboard entry file to write")
    p.add_argument("--report", default="memgym-eval.html", help="HTML report file to write")
    p.add_argument(
        "--throughput",
        type=float,
        help="memgym tokens per second the time estimate assumes (default: measured by a short "
        f"probe of the endpoint; {DEFAULT_THROUGHPUT:,.0f} without one)",
    )
    p.add_argument(
        "--estimate-only", action="store_true", help="print the estimate and stop (no model call)"
    )
    p.add_argument(
        "--fingerprint",
        action="store_true",
        help="print each protocol's fingerprint against the recorded one",
    )
    p.add_argument(
        "--write",
        action="store_true",
        help="with --fingerprint: record the fingerprints and the entry schema in the package",
    )
    p.add_argument(
        "--table", nargs="+", metavar="ENTRY", help="print the model x track table of entries"
    )
    p.add_argument("--markdown", action="store_true", help="with --table: print it as Markdown")
    add_trust_args(p)
    p.add_argument(
        "--memories",
        nargs="+",
        metavar="SPEC",
        help="with --plugin: third-party memories to evaluate beside the protocol's own on "
        "every track, behind the trust boundary (scored apart from the entry's score)",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    _check(args)
    if args.fingerprint:
        return _fingerprint(args.write)
    if args.table:
        return _table(args.table, args.markdown)
    from memgym.protocol.spec import get_protocol

    protocol = get_protocol(args.protocol)
    chosen = protocol.selected(args.tracks)
    if args.estimate_only:
        from memgym.protocol.engines import missing

        lacking = {line.split(":", 1)[0]: line for line in missing(protocol.track_names)}
        if args.model:
            from memgym.commands.endpoints import preflight

            preflight([reasoner_spec(args)], err_console.print)
        args.throughput = throughput_of(protocol, args)
        estimate_and_print(protocol, args, chosen, [t for t in chosen if t not in lacking])
        for track in chosen:
            if track in lacking:
                err_console.print(f"  {track:<9} not estimated: {escape(lacking[track])}")
        return 0
    return _evaluate(protocol, args, chosen)


def _check(args: argparse.Namespace) -> None:
    """One-line errors for flags that do not go together and bad numbers."""
    modes = [args.fingerprint, bool(args.table), args.estimate_only]
    if sum(modes) > 1:
        raise ValueError("give one of --fingerprint, --table and --estimate-only")
    if args.write and not args.fingerprint:
        raise ValueError("--write needs --fingerprint")
    if args.markdown and not args.table:
        raise ValueError("--markdown needs --table")
    if not any(modes) and not args.model:
        raise ValueError("--model is required (with --base-url for a local server)")
    if args.model and any(modes[:2]):
        raise ValueError("--model runs an evaluation: not with --fingerprint or --table")
    if args.tracks and any(modes[:2]):
        raise ValueError(
            "--tracks chooses what an evaluation runs: not with --fingerprint or --table"
        )
    if (args.base_url or args.api_key_env) and not args.model:
        raise ValueError("--base-url and --api-key-env need --model")
    check_at_least(args, concurrency=1, episode_retries=0)
    # Checked in every mode: --estimate-only added to a full command line must not hide a bad value.
    from memgym.commands import model_options
    from memgym.run.work import parse_shard

    model_options.given(args)
    if args.shard:
        parse_shard(args.shard)
    if args.throughput is not None and not args.throughput > 0:
        raise ValueError(f"--throughput must be above 0, got {args.throughput}")
    if args.address is not None and args.executor != "ray":
        raise ValueError("--address needs --executor ray")
    _check_plugins(args, any(modes[:2]))


def _check_plugins(args: argparse.Namespace, other_mode: bool) -> None:
    """``--plugin`` and ``--memories`` go together, name third-party memories only, and locate
    (one line for a plugin that is not there)."""
    if args.isolate:
        raise ValueError(
            "--isolate: eval runs the protocol's own memories in the evaluator; "
            "--plugin --memories runs third-party ones behind the boundary"
        )
    if (args.plugin or args.memories or args.pass_env) and other_mode:
        raise ValueError("--plugin, --memories and --pass-env go with an evaluation")
    if bool(args.plugin) != bool(args.memories):
        raise ValueError("--plugin and --memories go together: the plugin's memories to evaluate")
    if args.memories:
        from memgym.memory.registry import memory_module
        from memgym.run.trust import trusted
        from memgym.specs import parse_spec

        for spec in args.memories:
            module = memory_module(parse_spec(spec)[0])
            if module is not None and trusted(module):
                raise ValueError(
                    f"--memories {spec}: memgym's own memory; --memories takes a plugin's "
                    "(the protocol's memories are fixed)"
                )
        if len(set(args.memories)) < len(args.memories):
            raise ValueError("--memories: a memory is named twice")
    if args.plugin or args.pass_env:
        apply_trust_args(args)


def plugins_of(args: argparse.Namespace) -> Any:
    """The plugin memories and modules ``--plugin`` and ``--memories`` name."""
    from memgym.protocol.work import Plugins

    return Plugins(tuple(args.memories or ()), tuple(args.plugin))


def _plugin_names(modules: tuple[str, ...]) -> list[str]:
    """The plugins as an entry names them: module names (a file's path stays private)."""
    from memgym.run.plugins import locate

    return [locate(m).module for m in modules]


def reasoner_spec(args: argparse.Namespace) -> str:
    """The ``llm`` reasoner spec of the model, with the model flags."""
    from memgym.commands import model_options

    options = [f"model={args.model}"]
    options += [f"base_url={args.base_url}"] if args.base_url else []
    options += [f"api_key_env={args.api_key_env}"] if args.api_key_env else []
    (spec,) = model_options.apply(["llm:" + ",".join(options)], model_options.given(args))
    return spec


def _evaluate(protocol: Any, args: argparse.Namespace, chosen: tuple[str, ...]) -> int:
    from memgym.commands.endpoints import preflight
    from memgym.commands.run import _execute, check_work
    from memgym.protocol import runs
    from memgym.protocol.engines import missing
    from memgym.protocol.entry import build_entry
    from memgym.protocol.fingerprint import fingerprint, problems
    from memgym.protocol.work import items, run_config
    from memgym.protocol.work import planned as planned_of
    from memgym.run.results import ResultsStore
    from memgym.run.work import parse_shard, shard

    _check_files(args)
    spec = reasoner_spec(args)
    shard_of = parse_shard(args.shard) if args.shard else None
    plugins = plugins_of(args)
    config = run_config(protocol, spec, plugins)
    agent = _agent_spec(protocol, spec, chosen, args)
    todo: Any = items(protocol, spec, chosen, agent, plugins)
    if shard_of:
        todo = shard(list(todo), *shard_of)
    todo = list(todo)
    before = _done_before(args, config, shard_of is not None)
    left = [item for item in todo if runs.public_key(item.key) not in before]
    pending = {item.track for item in left}
    lacking = missing(t for t in protocol.track_names if t in pending)
    if lacking:
        for line in lacking:
            err_console.print(f"[red]error[/]: {escape(line)}")
        others = [t for t in chosen if t not in {line.split(":", 1)[0] for line in lacking}]
        err_console.print(
            f"{plural(len(lacking), 'track')} cannot run here: install what is missing, or run "
            f"the others (--tracks {' '.join(others)}) and these where they can run, into the "
            "same --results; `memgym eval ... --resume` then writes the whole entry"
        )
        return 2
    for plan in protocol.plans:
        if plan.track in pending:
            pairs = [(i.memory, i.reasoner) for i in left if i.track == plan.track]
            check_work(plan.track, plan.tier, plan.params, pairs, plugins=plugins.modules)
    preflight([spec], err_console.print)
    if left:  # nothing left to run needs no probe of the endpoint's throughput
        args.throughput = throughput_of(protocol, args)
    costs, session_costs = estimate_and_print(
        protocol,
        args,
        chosen,
        sorted(pending),
        {(i.track, i.seed, i.memory) for i in left if not i.plugins},
        nothing_left=not left,
    )
    with progress() as bar:
        task = bar.add_task("fingerprint", total=len(protocol.tracks))
        current = fingerprint(protocol, lambda _t: bar.advance(task))
    digest = current["fingerprint"]
    for problem in problems(protocol, current):
        err_console.print(
            f"[yellow]warning[/]: {problem}; this entry carries the new fingerprint and is "
            "ranked apart from the recorded version's entries"
        )
    planned = planned_of(protocol, chosen, plugins)
    start = time.perf_counter()
    with ResultsStore(args.results) as store:
        joined = runs.matching_runs(store, config) if args.resume or shard_of else []
        done = runs.done_keys(store, joined)
        work = [item for item in todo if runs.public_key(item.key) not in done]
        if args.resume and not joined:
            err_console.print(
                f"--resume: no eval run in {args.results} has this protocol, model and options"
                " (endpoint, key, cache and timeouts aside); starting a new one"
            )
        run_id = _run_for(
            store, config, args.shard, joined, planned_of(protocol, protocol.track_names, plugins)
        )
        err_console.print(
            f"{plural(len(work), 'episode')} to run"
            + (f", {len(done):,} done before" if done else "")
            + f" (run {run_id} of {args.results})"
        )
        try:
            _execute(
                store,
                run_id,
                iter(work),
                args.concurrency,
                1,
                args.executor,
                args.address,
                args.episode_retries,
                len(work),
            )
        except KeyboardInterrupt:
            err_console.print(
                f"[yellow]interrupted[/]: finished episodes are saved in run {run_id} of "
                f"{args.results}; `memgym eval ... --resume` continues it"
            )
            return 130
        except BaseException as exc:
            if not disk_full(exc):
                raise
            saved = f"finished episodes are saved in run {run_id} of {args.results}"
            return say_disk_full(exc, saved, "memgym eval ... --resume")
        every = runs.matching_runs(store, config) if joined or shard_of else [run_id]
        episodes = runs.episodes_of(store, every)
    wanted = [item.key for item in items(protocol, spec, chosen, agent, plugins)]
    public = {runs.public_key(key) for key in wanted}
    episodes = {key: result for key, result in episodes.items() if key in public}
    status = runs.status(planned, episodes)
    seconds = time.perf_counter() - start
    if shard_of and status.missing:
        err_console.print(
            f"shard {args.shard} done in {seconds:.1f} s; the evaluation is {status.describe()}: "
            "run the other shards, then `memgym eval ... --resume` writes the entry"
        )
        return 0 if not status.infra else 1
    entry = build_entry(
        protocol,
        digest,
        args.model,
        runs.public_spec(spec),
        runs.ordered(episodes, iter(wanted)),
        status,
        costs,
        chosen,
        _plugin_names(plugins.modules),
    )
    write_atomic(args.entry, entry.dumps())
    _report(args.results, args.report, every[0] if len(every) == 1 else None)
    print_entry(entry)
    err_console.print(
        f"{len(work)} episodes run in {seconds:.1f} s; {_measured(entry, session_costs)}; "
        f"entry in {args.entry}, report in {args.report}"
    )
    if not entry.complete:
        err_console.print(
            f"[red]the evaluation is {entry.status}[/]: the entry is flagged incomplete and is "
            "not ranked; `memgym eval ... --resume` re-runs the missing episodes"
        )
        return 1
    return 0


def journal_path(results: str) -> str:
    """The journal of the interactive sessions' calls, beside the results file."""
    return f"{results}.journal.sqlite"


def _agent_spec(
    protocol: Any, spec: str, chosen: tuple[str, ...], args: argparse.Namespace
) -> str | None:
    """The ``llm`` agent of the interactive tracks: ``spec`` with a journal of its calls
    (``journal_path``), so a session killed half-way replays them when resumed instead of asking
    the model again; None without interactive tracks, and with ``--cache`` (which replays)."""
    if args.cache or not any(protocol.is_session(t) for t in chosen):
        return None
    return f"{spec},journal={journal_path(args.results)}"


def _done_before(args: argparse.Namespace, config: dict[str, Any], sharded: bool) -> set[str]:
    """Public keys of the episodes an existing results file already holds for this evaluation
    (read only: nothing is written before the engines are checked)."""
    import os

    from memgym.protocol import runs
    from memgym.run.results import ResultsStore

    if not (args.resume or sharded) or not os.path.exists(args.results):
        return set()
    with ResultsStore.open_read(args.results) as store:
        return runs.done_keys(store, runs.matching_runs(store, config))


def _measured(entry: Any, session_costs: list[Any]) -> str:
    """Tokens measured against the estimate: the stream tracks' (in the entry), and the
    interactive tracks' estimated by this invocation."""
    streams = [t for t in entry.tracks if t.estimated is not None]
    measured = sum(t.tokens.prompt + t.tokens.completion for t in streams)
    estimated = sum(t.estimated.prompt + t.estimated.completion for t in streams)
    cached = (
        f", {entry.tokens.cached:,} calls answered by the cache "
        f"({entry.tokens.cached_prompt + entry.tokens.cached_completion:,} tokens when first made)"
        if entry.tokens.cached
        else ""
    )
    text = (
        f"tokens measured {measured:,} vs estimated {estimated:,} "
        f"({_ratio(measured, estimated)}{cached})"
        if streams
        else "no stream track"
    )
    by_track = {t.track: t for t in entry.tracks}
    ran = [
        c for c in session_costs if c.track in by_track and c.episodes == by_track[c.track].episodes
    ]
    if ran:
        got = sum(
            by_track[c.track].tokens.prompt + by_track[c.track].tokens.completion for c in ran
        )
        want = sum(c.tokens for c in ran)
        text += (
            f"; interactive tracks {got:,} vs {want:,} estimated with the context agent "
            f"({_ratio(got, want)})"
        )
    return text


def _ratio(measured: int, estimated: int) -> str:
    return f"{measured / estimated - 1:+.1%}" if estimated else "no estimate"


def _check_files(args: argparse.Namespace) -> None:
    """Every file the evaluation writes can be written and is none of the others, and an existing
    ``--results`` is a results file: checked before the estimate, the fingerprint or any episode
    (an unwritable ``--entry`` failed only after the whole run)."""
    results = (args.results, "--results")
    check_results_output(args.results, "--results")
    check_output(args.entry, "--entry", results)
    check_output(args.report, "--report", results, (args.entry, "--entry"))
    if args.cache:
        check_output(args.cache, "--cache", results, (args.entry, "--entry"))


def _run_for(
    store: Any, config: dict[str, Any], shard: str | None, joined: list[int], planned: int
) -> int:
    """The run this invocation adds to: the newest joined run of the same shard, or a new one."""
    for run_id in reversed(joined):
        if store.run_config(run_id).get("shard") == shard:
            return int(run_id)
    return int(store.start_run({**config, "shard": shard}, planned))


def _report(results: str, out: str, run_id: int | None) -> None:
    from memgym.report import write_report

    write_report(results, out, run_id)


def print_entry(entry: Any) -> None:
    """The entry's scores, one line per track, and its tokens."""
    from memgym.commands.tables import Column, fit
    from memgym.protocol.table import cell

    columns = (
        Column("track", justify="left"),
        Column("score [95% CI]", justify="left"),
        Column("ceiling", priority=2),
        Column("scored", priority=3),
        Column("leaked", priority=2),
        Column("overflow", priority=1),
        Column("calls", priority=4),
        Column("tokens", priority=5),
        Column("tool calls run", priority=3),
    )
    rows: list[list[Any]] = [
        [
            t.track,
            cell(t.score, t.ci_low, t.ci_high),
            t.ceiling,
            str(t.scored),
            str(t.leaked),
            str(t.context_overflow),
            f"{t.tokens.calls:,}",
            f"{t.tokens.prompt + t.tokens.completion:,}",
            str(t.tokens.tool_calls_executed),
        ]
        for t in entry.tracks
    ]
    title = (
        f"{entry.model} / protocol {entry.protocol.name} v{entry.protocol.version} / {entry.status}"
        + (f" / without {', '.join(entry.left_out)}" if entry.left_out else "")
    )
    console.print(fit(title, columns, rows, console.width, console))
    _print_plugin_rows(entry)


def _print_plugin_rows(entry: Any) -> None:
    """The plugin memories' rows of every track, apart: not in the score, never ranked."""
    from memgym.commands.tables import Column, fit
    from memgym.protocol.table import cell

    rows: list[list[Any]] = [
        [
            t.track,
            m.memory,
            cell(m.isolated, m.ci_low, m.ci_high),
            cell(m.accuracy, None, None),
            m.boundary,
        ]
        for t in entry.tracks
        for m in t.plugin_memories
    ]
    if not rows:
        return
    columns = (
        Column("track", justify="left"),
        Column("memory", justify="left"),
        Column("isolated [95% CI]", justify="left"),
        Column("accuracy", priority=1),
        Column("boundary", justify="left"),
    )
    title = f"plugin memories ({', '.join(entry.plugins)}): beside the score, never ranked"
    console.print(fit(title, columns, rows, console.width, console))


def _fingerprint(write: bool) -> int:
    """Print (and with ``write`` record) every protocol's fingerprint; 1 when one differs."""
    import json

    from memgym.protocol import entry, fingerprint
    from memgym.protocol.spec import PROTOCOLS

    protocols = list(PROTOCOLS.values())
    current = {p.name: fingerprint.fingerprint(p) for p in protocols}
    if write:
        fingerprint.write(protocols, current)
        entry.SCHEMA_PATH.write_text(json.dumps(entry.schema(), indent=2) + "\n", encoding="utf-8")
        err_console.print(f"recorded in {fingerprint.RECORD} and {entry.SCHEMA_PATH}")
    bad = 0
    for p in protocols:
        problems = fingerprint.problems(p, current[p.name])
        state = "[green]recorded[/]" if not problems else "[red]" + "; ".join(problems) + "[/]"
        console.print(f"{p.name} v{p.version} {current[p.name]['fingerprint']}: {state}")
        bad += bool(problems)
    return 1 if bad else 0


def _table(paths: list[str], markdown: bool) -> int:
    """Print the model x track table of the entries at ``paths``, one per protocol version."""
    from memgym.commands.tables import Column, fit
    from memgym.protocol import table
    from memgym.protocol.entry import load_entry

    loaded = [load_entry(p) for p in paths]
    groups = table.group([(e.model, e) for e in loaded])
    if markdown:
        print(table.markdown(groups), end="")
        return 0
    for g in groups:
        columns = (
            Column("#", justify="right"),
            Column("model", justify="left"),
            *(Column(t, justify="left") for t in g.tracks),
            Column("mean"),
            Column("tokens", priority=1),
        )
        rows: list[list[Any]] = []
        for row in g.rows:
            by_track = {t.track: t for t in row.entry.tracks}
            flag = "" if row.entry.complete else " [red](incomplete)[/]"
            rows.append(
                [
                    str(row.rank or "-"),
                    row.label + flag,
                    *(
                        table.cell(by_track[t].score, by_track[t].ci_low, by_track[t].ci_high)
                        if t in by_track
                        else "-"
                        for t in g.tracks
                    ),
                    "-" if row.mean is None else f"{row.mean:.3f}",
                    f"{row.entry.tokens.prompt + row.entry.tokens.completion:,}",
                ]
            )
        console.print(fit(g.title, columns, rows, console.width, console))
    if len(groups) > 1:
        console.print(
            f"{len(groups)} protocol versions: entries of different versions are not ranked "
            "together"
        )
    return 0
