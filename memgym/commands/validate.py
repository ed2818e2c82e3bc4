"""``memgym validate``: the invariant table proving the scoring cannot be gamed."""

from __future__ import annotations

import argparse
import json
import os
import time

from rich.table import Table

from memgym.commands.common import add_seed_args, console, err_console, progress


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the ``validate`` subcommand."""
    p = sub.add_parser("validate", help="prove the scoring cannot be gamed (invariant table)")
    add_seed_args(p, 10, "seeds per template and tier")
    p.add_argument(
        "--tiers", default="standard", help="comma-separated tiers, or 'all' (default standard)"
    )
    p.add_argument("--templates", help="comma-separated templates (default: all)")
    p.add_argument(
        "--workers", type=int, default=min(2, os.cpu_count() or 1), help="worker processes"
    )
    p.add_argument("--json", action="store_true", help="print the reports as JSON")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from memgym.simulation.validate import validate
    from memgym.tracks.entities.templates import TEMPLATES

    templates = args.templates.split(",") if args.templates else sorted(TEMPLATES)
    unknown = [t for t in templates if t not in TEMPLATES]
    if unknown:
        raise ValueError(f"unknown template(s) {unknown}; known: {', '.join(sorted(TEMPLATES))}")
    from memgym.tracks import get_track

    known = list(get_track("entities").tiers)
    tiers = known if args.tiers == "all" else args.tiers.split(",")
    if bad := [t for t in tiers if t not in known]:
        raise ValueError(f"unknown tier(s) {bad}; known: {', '.join(known)} (or 'all')")
    seeds = list(range(args.seed, args.seed + args.seeds))
    start = time.perf_counter()
    with progress() as bar:
        task = bar.add_task("validate", total=len(templates) * len(tiers) * len(seeds))
        reports = validate(
            templates, tiers, seeds, workers=args.workers, on_done=lambda _: bar.advance(task)
        )
    elapsed = time.perf_counter() - start
    if args.json:
        print(json.dumps([r.__dict__ | {"passed": r.passed} for r in reports], indent=2))
    else:
        _print_validate(reports, len(seeds))
    failed = [r for r in reports if not r.passed]
    episodes = (
        len(templates) * len(tiers) * len(seeds) * len(reports[0].composite) if reports else 0
    )
    status = (
        "[green]all invariants pass[/]" if not failed else f"[red]{len(failed)} group(s) failed[/]"
    )
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
        checks = " ".join(
            ("[green]✓[/]" if ok else "[red]✗ " + name + "[/]") for name, ok in r.checks.items()
        )
        table.add_row(
            r.template,
            r.tier,
            *(f"{r.composite[n]:.3f}" for n in HONEST),
            f"{r.composite[worst]:.3f} {worst}",
            checks,
        )
    console.print(table)
    names = list(reports[0].checks) if reports else []
    for name in names:
        passed = sum(r.checks[name] for r in reports)
        console.print(f"  {name}: {passed}/{len(reports)} groups pass")
