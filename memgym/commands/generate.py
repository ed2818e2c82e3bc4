"""``memgym generate``: generate one scenario; summarise it, print it or write it."""

from __future__ import annotations

import argparse
import os

from memgym.commands.common import (
    add_scenario_args,
    check_at_least,
    console,
    err_console,
    overrides,
)


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the ``generate`` subcommand."""
    p = sub.add_parser("generate", help="generate one scenario and summarise or dump it")
    add_scenario_args(p)
    p.add_argument("--seed", type=int, default=0, help="scenario seed (default 0)")
    p.add_argument("--json", action="store_true", help="print the scenario as JSON")
    p.add_argument("--out", help="write the scenario JSON to this file")
    p.add_argument("--show", type=int, default=5, help="questions to show in the summary")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from memgym.tracks import get_track

    check_at_least(args, show=0)
    if args.out and args.json:
        raise ValueError("give --out FILE or --json (printed), not both")
    if args.out:
        folder = os.path.dirname(os.path.abspath(args.out))
        if not os.path.isdir(folder):
            raise ValueError(f"cannot write {args.out}: no folder {folder}")
    track = get_track(args.track)
    scenario = track.generate(args.seed, args.tier, **overrides(args.param))
    if args.out:
        with open(args.out, "w") as fh:
            fh.write(scenario.model_dump_json(indent=2))
        err_console.print(
            f"wrote {args.out} ({len(scenario.events)} events, hash {scenario.hash[:12]})"
        )
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
