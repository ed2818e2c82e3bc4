"""``memgym tracks``: list tracks and their tiers."""

from __future__ import annotations

import argparse
import json
from typing import Any

from rich.table import Table

from memgym.commands.common import console


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the ``tracks`` subcommand."""
    p = sub.add_parser("tracks", help="list tracks and their tiers")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from memgym.tracks import get_track, track_names

    rows: list[dict[str, Any]] = []
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
            table.add_row(
                row["track"], tier + (" (default)" if tier == row["default_tier"] else ""), shown
            )
    console.print(table)
    return 0
