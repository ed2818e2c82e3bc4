"""``memgym tracks``: list tracks, their tiers and every parameter each tier sets."""

from __future__ import annotations

import argparse
import json
from typing import Any

from memgym.commands.common import console
from memgym.commands.tables import Cell, Column, fit


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the ``tracks`` subcommand."""
    p = sub.add_parser("tracks", help="list tracks, their tiers and every parameter")
    p.add_argument("--json", action="store_true", help="print JSON instead of tables")
    p.add_argument("--track", help="only this track")
    p.set_defaults(func=run)


def describe(name: str) -> dict[str, Any]:
    """A track's default tier and, per tier, its full parameter set (every parameter
    ``--param`` can set, plus the ones derived from them)."""
    from memgym.tracks import get_track

    track = get_track(name)
    tiers = {tier: track.params(tier) for tier in track.tiers}
    default = tiers[track.default_tier]
    derived = []
    for key, value in default.items():
        if key == "tier":
            continue
        try:
            track.params(track.default_tier, **{key: value})
        except ValueError:
            derived.append(key)
    return {
        "track": name,
        "default_tier": track.default_tier,
        "tiers": tiers,
        "derived": derived,
    }


def run(args: argparse.Namespace) -> int:
    from memgym.tracks import track_names

    names = [args.track] if args.track else track_names()
    rows = [describe(name) for name in names]
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    for row in rows:
        tiers = list(row["tiers"])
        params = list(dict.fromkeys(k for t in tiers for k in row["tiers"][t] if k != "tier"))
        columns = [Column("parameter", justify="left")]
        columns += [
            Column(t + (" (default)" if t == row["default_tier"] else ""), wrap_at=14)
            for t in tiers
        ]
        table: list[list[Cell]] = [
            [
                key + (" (derived)" if key in row["derived"] else ""),
                *(_show(row["tiers"][t].get(key)) for t in tiers),
            ]
            for key in params
        ]
        title = f"track {row['track']}: set a parameter with --param KEY=VALUE"
        console.print(fit(title, columns, table, console.width, console))
    return 0


def _show(value: Any) -> str:
    return "-" if value is None else str(value)
