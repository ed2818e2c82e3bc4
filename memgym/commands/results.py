"""``memgym results``: list runs in a results file, summarise one, export episodes."""

from __future__ import annotations

import argparse
import json
import os

from rich.table import Table

from memgym.commands.common import console, print_summary, print_usage


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the ``results`` subcommand."""
    p = sub.add_parser("results", help="list the runs in a results file, or print episodes as JSON")
    p.add_argument("path", help="SQLite results file")
    p.add_argument("--run", type=int, help="run id to summarise or export")
    p.add_argument("--json", action="store_true", help="print episodes as JSON")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
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
            print_usage(episodes)
    return 0
