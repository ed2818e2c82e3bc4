"""``memgym results``: list runs in a results file, summarise one, print the leaderboard, export
episodes as JSONL or CSV."""

from __future__ import annotations

import argparse
import json
import math
import os

from rich.table import Table

from memgym.commands.common import (
    console,
    err_console,
    print_summary,
    print_usage,
    short_label,
)


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the ``results`` subcommand."""
    p = sub.add_parser(
        "results", help="list the runs in a results file, show the leaderboard, export episodes"
    )
    p.add_argument("path", help="SQLite results file")
    p.add_argument("--run", type=int, help="run id to summarise, rank or export (default: all)")
    p.add_argument("--json", action="store_true", help="print episodes (or leaderboard) as JSON")
    p.add_argument(
        "--leaderboard",
        action="store_true",
        help="per model x memory x track: composite and accuracy, mean ± SE over seeds",
    )
    p.add_argument("--export", metavar="FILE", help="write the episodes to FILE (.jsonl or .csv)")
    p.add_argument("--format", choices=("jsonl", "csv"), help="export format (default: from FILE)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from memgym.run.export import export, export_format
    from memgym.run.results import ResultsStore

    if not os.path.exists(args.path):
        raise ValueError(f"no results file at {args.path}")
    if args.format and not args.export:
        raise ValueError("--format needs --export FILE")
    if args.export:
        export_format(args.export, args.format)  # a bad name fails before anything is written
    with ResultsStore(args.path) as store:
        if args.run is not None:
            store.run_config(args.run)  # one clear line for an unknown run id
        if args.export:
            n = export(store, args.export, args.format, args.run)
            err_console.print(f"{n} episodes written to {args.export}")
            return 0
        if args.leaderboard:
            rows = store.leaderboard(args.run)
            if args.json:
                clean = [{k: _finite(v) for k, v in row.items()} for row in rows]
                print(json.dumps(clean, indent=2))
            else:
                print_leaderboard(rows, args.path)
            return 0
        if args.json:
            rows = [r.model_dump(mode="json") for r in store.episodes(args.run)]
            print(json.dumps(rows, indent=2))
            return 0
        runs = store.runs()
        table = Table(title=f"runs in {args.path}")
        for col in ("id", "created", "episodes", "config"):
            table.add_column(col)
        for run in runs:
            table.add_row(
                str(run["id"]),
                run["created"],
                str(run["episodes"]),
                json.dumps(run["config"])[:100],
            )
        console.print(table)
        if args.run is not None:
            episodes = list(store.episodes(args.run, compactions=False))
            print_summary(episodes, f"run {args.run}")
            print_usage(episodes, store.run_usage(args.run))
    return 0


def print_leaderboard(rows: list[dict[str, object]], title: str) -> None:
    """The leaderboard as a table, best composite first."""
    table = Table(title=f"leaderboard: {title}")
    for col in ("#", "model", "memory", "track", "composite", "accuracy", "seeds", "episodes"):
        table.add_column(col, justify="left" if col in ("model", "memory", "track") else "right")
    for i, row in enumerate(rows, 1):
        table.add_row(
            str(i),
            short_label(str(row["model"])),
            short_label(str(row["memory"])),
            str(row["track"]),
            f"{row['composite']:.3f} ±{row['composite_se']:.3f}",
            f"{row['accuracy']:.3f} ±{row['accuracy_se']:.3f}",
            str(row["seeds"]),
            str(row["episodes"]),
        )
    console.print(table)


def _finite(x: object) -> object:
    return None if isinstance(x, float) and math.isnan(x) else x
