"""The ``memgym`` command: parses arguments, calls the library, prints tables or JSON."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Sequence
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from memgym import __version__

# Tables are wide: when printing to a pipe or file, do not squeeze them to 80 columns.
console = Console(width=None if sys.stdout.isatty() else 200)
err_console = Console(stderr=True)


def _progress() -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("eta"),
        TimeRemainingColumn(),
        console=err_console,
        transient=True,
        disable=not err_console.is_terminal,
    )


def _overrides(pairs: Sequence[str]) -> dict[str, Any]:
    from memgym.memory.registry import parse_spec

    if not pairs:
        return {}
    _, options = parse_spec("x:" + ",".join(pairs))
    return options


def cmd_tracks(args: argparse.Namespace) -> int:
    from memgym.tracks import get_track, track_names

    rows = []
    for name in track_names():
        track = get_track(name)
        rows.append({"track": name, "default_tier": track.default_tier, "tiers": track.tiers})
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    table = Table(title="memgym tracks")
    table.add_column("track")
    table.add_column("tier")
    table.add_column("parameters")
    for row in rows:
        for tier, params in row["tiers"].items():
            shown = ", ".join(f"{k}={v}" for k, v in params.items())
            table.add_row(row["track"], tier + (" (default)" if tier == row["default_tier"] else ""), shown)
    console.print(table)
    return 0


def cmd_generate(args: argparse.Namespace) -> int:
    from memgym.tracks import get_track

    track = get_track(args.track)
    scenario = track.generate(args.seed, args.tier, **_overrides(args.param))
    if args.out:
        with open(args.out, "w") as fh:
            fh.write(scenario.model_dump_json(indent=2))
        err_console.print(f"wrote {args.out} ({len(scenario.events)} events, hash {scenario.hash[:12]})")
        return 0
    if args.json:
        print(scenario.model_dump_json(indent=2))
        return 0
    kinds: dict[str, int] = {}
    for e in scenario.events:
        kinds[e.kind] = kinds.get(e.kind, 0) + 1
    console.print(f"[bold]{scenario.track}[/] seed {scenario.seed}  hash {scenario.hash}")
    console.print(f"params: {scenario.params}")
    console.print(f"events: {kinds}  facts: {len(scenario.facts)}")
    console.print(f"brief: {scenario.brief}")
    for q in scenario.questions[: args.show]:
        console.print(f"  [{q.kind}] {q.text}  ->  {q.answer!r}")
    return 0


def _print_summary(results: list, title: str) -> None:
    from memgym.run.summary import COLUMNS, summarize

    table = Table(title=title)
    table.add_column("memory / reasoner")
    for name in (*COLUMNS, "abstention", "writes", "episodes"):
        table.add_column(name, justify="right")
    for key, cols in summarize(results, label="pair").items():
        cells = []
        for name in (*COLUMNS, "abstention"):
            m, se = cols[name]
            cells.append("-" if m != m else f"{m:.3f}" + (f" ±{se:.3f}" if se else ""))
        cells.append(f"{cols['writes'][0]:.1f}")
        cells.append(f"{int(cols['episodes'][0])}")
        table.add_row(key, *cells)
    console.print(table)


def cmd_run(args: argparse.Namespace) -> int:
    from memgym.run.results import ResultsStore
    from memgym.simulation.policies import HONEST, get_policy
    from memgym.simulation.runner import Unit, run_units

    if args.memory or args.reasoner:
        pairs = [(args.memory or "agentic:policy=strategic", args.reasoner or "scripted")]
        names: tuple[str, ...] = ()
    else:
        names = tuple(p.strip() for p in (args.policies or ",".join(HONEST)).split(",") if p.strip())
        for name in names:
            get_policy(name)
        pairs = []
    overrides = tuple(sorted(_overrides(args.param).items()))
    seeds = range(args.seed, args.seed + args.seeds)
    results = []
    start = time.perf_counter()
    if pairs:
        results = _run_pairs(args.track, args.tier, seeds, overrides, pairs)
    else:
        units = [Unit(args.track, args.tier, s, overrides, names) for s in seeds]
        with _progress() as progress:
            task = progress.add_task("episodes", total=len(units) * len(names))
            for done in run_units(units, workers=args.workers, on_done=lambda _: progress.advance(task, len(names))):
                results.extend(done.results[n] for n in names)
    elapsed = time.perf_counter() - start
    with ResultsStore(args.results) as store:
        run_id = store.start_run(
            {"command": "run", "track": args.track, "tier": args.tier, "seeds": list(seeds),
             "policies": list(names), "pairs": pairs, "overrides": dict(overrides)}
        )
        for r in results:
            store.add_episode(run_id, r)
    if args.json:
        print(json.dumps([r.model_dump(mode="json") for r in results], indent=2))
        return 0
    _print_summary(results, f"{args.track} / {args.tier or 'default tier'} / {len(seeds)} seeds")
    err_console.print(f"{len(results)} episodes in {elapsed:.2f} s; results in {args.results} (run {run_id})")
    return 0


def _run_pairs(track_name, tier, seeds, overrides, pairs) -> list:  # type: ignore[no-untyped-def]
    from memgym.memory import make_memory
    from memgym.reasoners import make_reasoner
    from memgym.run.episode import evaluate
    from memgym.tracks import get_track

    track = get_track(track_name)
    results = []
    with _progress() as progress:
        task = progress.add_task("episodes", total=len(seeds) * len(pairs))
        for seed in seeds:
            scenario = track.generate(seed, tier, **dict(overrides))
            for memory_spec, reasoner_spec in pairs:
                memory = make_memory(memory_spec, track)
                reasoner = make_reasoner(reasoner_spec, track)
                results.append(evaluate(scenario, memory, reasoner))
                progress.advance(task)
    return results


def cmd_validate(args: argparse.Namespace) -> int:
    from memgym.simulation.validate import validate
    from memgym.tracks.entities.templates import TEMPLATES

    templates = args.templates.split(",") if args.templates else sorted(TEMPLATES)
    unknown = [t for t in templates if t not in TEMPLATES]
    if unknown:
        raise ValueError(f"unknown template(s) {unknown}; known: {', '.join(sorted(TEMPLATES))}")
    tiers = args.tiers.split(",")
    seeds = list(range(args.seed, args.seed + args.seeds))
    start = time.perf_counter()
    with _progress() as progress:
        task = progress.add_task("validate", total=len(templates) * len(tiers) * len(seeds))
        reports = validate(templates, tiers, seeds, workers=args.workers, on_done=lambda _: progress.advance(task))
    elapsed = time.perf_counter() - start
    if args.json:
        print(json.dumps([r.__dict__ | {"passed": r.passed} for r in reports], indent=2))
    else:
        _print_validate(reports, len(seeds))
    failed = [r for r in reports if not r.passed]
    episodes = len(templates) * len(tiers) * len(seeds) * len(reports[0].composite) if reports else 0
    status = "[green]all invariants pass[/]" if not failed else f"[red]{len(failed)} group(s) failed[/]"
    err_console.print(f"{status}: {episodes} episodes in {elapsed:.2f} s")
    return 1 if failed else 0


def _print_validate(reports: list, seeds: int) -> None:  # type: ignore[type-arg]
    from memgym.simulation.policies import CHEATS, HONEST

    table = Table(title=f"memgym validate: mean composite over {seeds} seeds")
    table.add_column("template")
    table.add_column("tier")
    for name in HONEST:
        table.add_column(name, justify="right")
    table.add_column("worst cheat", justify="right")
    table.add_column("checks")
    for r in reports:
        worst = max(CHEATS, key=lambda n: r.composite[n])
        checks = " ".join(("[green]✓[/]" if ok else "[red]✗ " + name + "[/]") for name, ok in r.checks.items())
        table.add_row(
            r.template, r.tier, *(f"{r.composite[n]:.3f}" for n in HONEST),
            f"{r.composite[worst]:.3f} {worst}", checks,
        )
    console.print(table)
    names = list(reports[0].checks) if reports else []
    for name in names:
        passed = sum(r.checks[name] for r in reports)
        console.print(f"  {name}: {passed}/{len(reports)} groups pass")


def cmd_results(args: argparse.Namespace) -> int:
    from memgym.run.results import ResultsStore

    if not os.path.exists(args.path):
        raise ValueError(f"no results file at {args.path}")
    with ResultsStore(args.path) as store:
        if args.json:
            rows = [r.model_dump(mode="json") for r in store.episodes(args.run)]
            print(json.dumps(rows, indent=2))
            return 0
        runs = store.runs()
        table = Table(title=f"runs in {args.path}")
        for col in ("id", "created", "episodes", "config"):
            table.add_column(col)
        for run in runs:
            table.add_row(str(run["id"]), run["created"], str(run["episodes"]), json.dumps(run["config"])[:100])
        console.print(table)
        if args.run is not None:
            _print_summary(list(store.episodes(args.run)), f"run {args.run}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="memgym", description="Long-horizon memory benchmark for LLM agents.")
    parser.add_argument("--version", action="version", version=f"memgym {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("tracks", help="list tracks and their tiers")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.set_defaults(func=cmd_tracks)

    def scenario_args(p: argparse.ArgumentParser) -> None:
        p.add_argument("--track", default="entities", help="track name (default: entities)")
        p.add_argument("--tier", default=None, help="tier name (default: the track's default tier)")
        p.add_argument("--param", action="append", default=[], metavar="KEY=VALUE",
                       help="override one track parameter (repeatable), e.g. doc_style=kv")

    p = sub.add_parser("generate", help="generate one scenario and summarise or dump it")
    scenario_args(p)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", action="store_true", help="print the scenario as JSON")
    p.add_argument("--out", help="write the scenario JSON to this file")
    p.add_argument("--show", type=int, default=5, help="questions to show in the summary")
    p.set_defaults(func=cmd_generate)

    p = sub.add_parser("run", help="run an evaluation and print a per-axis table")
    scenario_args(p)
    p.add_argument("--policies", help="comma-separated simulation policies (default: the honest ones)")
    p.add_argument("--memory", help="memory spec, e.g. agentic:policy=strategic (instead of --policies)")
    p.add_argument("--reasoner", help="reasoner spec, e.g. scripted (instead of --policies)")
    p.add_argument("--seeds", type=int, default=5, help="number of seeds (default 5)")
    p.add_argument("--seed", type=int, default=0, help="first seed (default 0)")
    p.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
    p.add_argument("--results", default="memgym-results.sqlite", help="SQLite results file")
    p.add_argument("--json", action="store_true", help="print every episode result as JSON")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("validate", help="prove the scoring cannot be gamed (invariant table)")
    p.add_argument("--seeds", type=int, default=10, help="seeds per template and tier (default 10)")
    p.add_argument("--seed", type=int, default=0, help="first seed (default 0)")
    p.add_argument("--tiers", default="standard", help="comma-separated tiers (default standard)")
    p.add_argument("--templates", help="comma-separated templates (default: all)")
    p.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1), help="worker processes")
    p.add_argument("--json", action="store_true", help="print the reports as JSON")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("results", help="list the runs in a results file, or print episodes as JSON")
    p.add_argument("path", help="SQLite results file")
    p.add_argument("--run", type=int, help="run id to summarise or export")
    p.add_argument("--json", action="store_true", help="print episodes as JSON")
    p.set_defaults(func=cmd_results)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``memgym`` command."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except (ValueError, KeyError) as exc:
        message = exc.args[0] if isinstance(exc, KeyError) and exc.args else str(exc)
        err_console.print(f"[red]error:[/] {message}")
        return 2
    except KeyboardInterrupt:
        err_console.print("[yellow]interrupted[/]")
        return 130


if __name__ == "__main__":
    sys.exit(main())
