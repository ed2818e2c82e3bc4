"""``memgym results``: list runs in a results file, summarise one, print the leaderboard, export
episodes as JSONL or CSV. The file is opened read-only: this command never changes it."""

from __future__ import annotations

import argparse
import json
import math
from collections.abc import Sequence
from typing import Any

from memgym.commands.common import (
    check_output,
    console,
    err_console,
    mean_cell,
    plural,
    print_summary,
    print_usage,
)
from memgym.commands.tables import Cell, Column, fit
from memgym.labels import short_label


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the ``results`` subcommand."""
    p = sub.add_parser(
        "results", help="list the runs in a results file, show the leaderboard, export episodes"
    )
    p.add_argument("path", help="SQLite results file (opened read-only)")
    p.add_argument("--run", type=int, help="run id to summarise, rank or export (default: all)")
    p.add_argument(
        "--json", action="store_true", help="print the runs and episodes (or leaderboard) as JSON"
    )
    p.add_argument(
        "--leaderboard",
        action="store_true",
        help="per track x tier x model x memory x policy: composite and accuracy, mean ± SE over "
        "seeds, complete runs only",
    )
    p.add_argument(
        "--include-incomplete",
        action="store_true",
        help="with --leaderboard: rank incomplete runs too (their rows are flagged)",
    )
    p.add_argument("--export", metavar="FILE", help="write the episodes to FILE (.jsonl or .csv)")
    p.add_argument("--format", choices=("jsonl", "csv"), help="export format (default: from FILE)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from memgym.run.export import export, export_format
    from memgym.run.results import ResultsStore

    if args.format and not args.export:
        raise ValueError("--format needs --export FILE")
    if args.include_incomplete and not args.leaderboard:
        raise ValueError("--include-incomplete needs --leaderboard")
    if args.export and (args.json or args.leaderboard):
        raise ValueError("--export writes episodes: not with --json or --leaderboard")
    if args.export:
        export_format(args.export, args.format)  # a bad name fails before anything is written
        check_output(args.export, "--export", (args.path, "the results file"))
    with ResultsStore.open_read(args.path) as store:
        if args.run is not None:
            store.run_config(args.run)  # one clear line for an unknown run id
        if args.export:
            n = export(store, args.export, args.format, args.run)
            err_console.print(f"{n} episodes written to {args.export}")
            return 0
        if args.leaderboard:
            rows = store.leaderboard(args.run, args.include_incomplete)
            left_out = [
                r for r in store.runs() if not r["complete"] and args.run in (None, r["id"])
            ]
            if args.json:
                print(
                    json.dumps(leaderboard_json(rows, left_out, args.include_incomplete), indent=2)
                )
            else:
                print_leaderboard(rows, args.path, left_out, args.include_incomplete)
            return 0
        runs = [r for r in store.runs() if args.run in (None, r["id"])]
        if args.json:
            episodes = [r.model_dump(mode="json") for r in store.episodes(args.run)]
            print(json.dumps({"path": args.path, "runs": runs, "episodes": episodes}, indent=2))
            return 0
        print_runs(runs, args.path)
        if args.run is not None:
            (chosen,) = runs
            config = chosen["config"]
            pairs = [tuple(p) for p in config.get("pairs") or [] if len(p) == 2]
            names = config.get("policies") or []
            policies = dict(zip(pairs, names)) if len(names) == len(pairs) else {}
            caption = None if chosen["complete"] else f"run {args.run} is {chosen['status']}"
            print_summary(
                store.episodes(args.run, compactions=False),
                f"run {args.run}: {describe(config)}",
                policies,  # type: ignore[arg-type]
                pairs,  # type: ignore[arg-type]
                caption,
            )
            print_usage(
                list(store.episodes(args.run, compactions=False)), store.run_usage(args.run)
            )
    return 0


def describe(config: dict[str, Any]) -> str:
    """``entities / lite / 5 seeds``: what a run covered, from its config."""
    from memgym.commands.common import tier_name

    track = str(config.get("track") or "?")
    try:
        tier = tier_name(track, config.get("tier"))
    except (ValueError, KeyError):  # an unknown track, or an eval run's several
        tier = str(config.get("tier") or "?")
    return f"{track} / {tier} / {plural(seed_count(config), 'seed')}"


def seed_count(config: dict[str, Any]) -> int:
    """The seeds a run covered: its ``seeds``, or for an eval run the seeds of each of its
    tracks (``tracks[].seeds``, and its interactive ``sessions[].seeds``), added up."""
    seeds = config.get("seeds")
    if isinstance(seeds, list):
        return len(seeds)
    plans = [p for key in ("tracks", "sessions") if isinstance(config.get(key), list)
             for p in config[key]]  # fmt: skip
    return sum(len(p.get("seeds") or []) for p in plans if isinstance(p, dict))


LIST_WIDTH = 18
"""Width of the runs table's memory and policy lists: whole labels, packed into lines."""


def pack(labels: Sequence[str], width: int = LIST_WIDTH) -> str:
    """``labels`` joined by commas into lines of at most ``width`` characters where they fit,
    never breaking a label (``window 2000`` stays on one line)."""
    lines: list[str] = []
    for label in labels:
        if lines and len(lines[-1]) + 2 + len(label) + 1 <= width:
            lines[-1] += f", {label}"
        else:
            if lines:
                lines[-1] += ","
            lines.append(label)
    return "\n".join(lines)


def _what(config: dict[str, Any]) -> tuple[str, str]:
    """A run's memories and its policies or reasoner, short (``--json`` has the full specs)."""
    from memgym.labels import distinct

    pairs = [p for p in config.get("pairs") or [] if len(p) == 2]
    memories = list(dict.fromkeys(str(m) for m, _ in pairs)) or list(
        dict.fromkeys(  # an eval run's, its interactive tracks' and its plugin's memories
            str(m)
            for key in ("memories", "session_memories", "plugin_memories")
            for m in config.get(key) or []
        )
    )
    reasoners = list(dict.fromkeys(str(r) for _, r in pairs)) or (
        [str(config["reasoner"])] if config.get("reasoner") else []
    )
    if config.get("policies"):  # the policy names tell the memories apart: name families
        from memgym.specs import parse_spec

        memory = pack(list(dict.fromkeys(parse_spec(m)[0] for m in memories)))
    else:
        labels = distinct(memories)
        memory = pack([labels[m] for m in memories])
    track = str(config.get("track") or "")
    policy = pack(config.get("policies") or [actor_label(track, r) for r in reasoners])
    return memory, policy


def actor_label(track: str, reasoner: str) -> str:
    """A run without policy names: ``reasoner NAME``, or ``agent NAME`` on an interactive
    track (the compare runs' column, where a policy name would be)."""
    from memgym.labels import reasoner_label
    from memgym.tracks import get_track

    try:
        interactive = get_track(track).interactive
    except (KeyError, ValueError):
        interactive = False
    return f"{'agent' if interactive else 'reasoner'} {reasoner_label(reasoner)}"


def print_runs(runs: Sequence[dict[str, Any]], path: str) -> None:
    """One row per run: what it ran (track, tier, seeds, memories, policies) and its status."""
    from memgym.commands.common import tier_name

    columns = (
        Column("id", justify="right"),
        Column("command", "cmd", priority=2, justify="left"),
        Column("track", justify="left"),
        Column("tier", justify="left"),
        Column("seeds", priority=4),
        Column("memory", priority=8, justify="left", wrap_at=LIST_WIDTH),
        Column("policy", priority=7, justify="left", wrap_at=LIST_WIDTH),
        Column("episodes", "epi-\nsodes", priority=5),
        Column("status", priority=9, justify="left", wrap_at=14),
        Column("trust", priority=6, justify="left"),
        Column("created", priority=1, justify="left"),
    )
    rows: list[list[Cell]] = []
    for r in runs:
        config = r["config"]
        track = str(config.get("track") or "?")
        try:
            tier = tier_name(track, config.get("tier"))
        except (ValueError, KeyError):  # an unknown track, or an eval run's several
            tier = str(config.get("tier") or "?")
        memory, policy = _what(config)
        status = r["status"] if r["complete"] else f"[red]{r['status']}[/]"
        rows.append(
            [
                str(r["id"]),
                str(config.get("command") or ""),
                track,
                tier,
                str(seed_count(config)),
                memory,
                policy,
                str(r["episodes"]),
                status,
                trust_label(r["boundary"], r["salt"]),
                str(r["created"]).replace("T", " ").split("+")[0],
            ]
        )
    console.print(fit(f"runs in {path}", columns, rows, console.width, console))


def trust_label(boundaries: Sequence[str], salts: Sequence[str]) -> str:
    """What ran the episodes and under which seeds: ``sandbox`` over ``salted 3f9a12cd`` (the
    salt's digest), ``in-process`` over ``public seeds``; every kind found, comma-separated."""
    seeds = [f"salted {s[:8]}" if s else "public seeds" for s in salts]
    return "\n".join(part for part in (", ".join(boundaries), ", ".join(seeds)) if part)


def leaderboard_json(
    rows: list[dict[str, Any]], left_out: list[dict[str, Any]], include_incomplete: bool
) -> dict[str, Any]:
    """``--leaderboard --json``: the rows (NaN as null), and the incomplete runs left out."""
    clean = [{k: _finite(v) for k, v in row.items()} for row in rows]
    skipped = (
        [] if include_incomplete else [{"run": r["id"], "status": r["status"]} for r in left_out]
    )
    return {"rows": clean, "incomplete_runs_left_out": skipped}


def print_leaderboard(
    rows: list[dict[str, Any]],
    title: str,
    left_out: Sequence[dict[str, Any]] = (),
    include_incomplete: bool = False,
) -> None:
    """The leaderboard: one table per track and tier, best composite first."""
    from memgym.labels import distinct

    groups: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault((row["track"], row["tier"], row.get("setup", "")), []).append(row)
    columns = (
        Column("#", justify="right"),
        Column("policy", justify="left"),
        Column("memory", priority=5, justify="left"),
        Column("model", priority=6, justify="left"),
        Column("composite", "compo-\nsite"),
        Column("accuracy", "accu-\nracy", priority=7),
        Column("seeds", priority=3),
        Column("episodes", "epi-\nsodes", priority=2),
        Column("runs", priority=1, justify="left"),
        Column("trust", priority=4, justify="left"),
    )
    memories = distinct([r["memory"] for r in rows])
    for (track, tier, setup), group in groups.items():
        table: list[list[Cell]] = []
        for r in group:
            flag = "" if r["complete"] else " [red](incomplete)[/]"
            table.append(
                [
                    "-" if r["rank"] is None else str(r["rank"]),
                    (r["policy"] or actor_label(track, r["reasoner"])) + flag,
                    memories[r["memory"]],
                    short_label(r["model"]),
                    mean_cell(r["composite"], r["composite_se"]),
                    mean_cell(r["accuracy"], r["accuracy_se"]),
                    str(r["seeds"]),
                    str(r["episodes"]),
                    ",".join(str(i) for i in r["runs"]),
                    trust_label(r["boundary"], r["salt"]),
                ]
            )
        name = f"leaderboard: {track} / {_tier(track, tier)}" + (f" ({setup})" if setup else "")
        shown = columns
        if actor_label(track, "").startswith("agent"):  # sessions: the verifier's task reward
            scores = (Column("task reward", "task\nreward"), Column("solved", priority=7))
            shown = (*columns[:4], *scores, *columns[6:])
        console.print(fit(name, shown, table, console.width, console))
    if not rows:
        console.print(f"leaderboard: no complete run with scored episodes in {title}")
    if left_out and not include_incomplete:
        listed = "; ".join(f"run {r['id']} ({r['status']})" for r in left_out)
        console.print(
            f"[yellow]not ranked, incomplete:[/] {listed}; --include-incomplete ranks them too"
        )


def _tier(track: str, tier: str | None) -> str:
    """``tier``, else the track's default tier (an episode run without ``--tier``)."""
    from memgym.commands.common import tier_name

    try:
        return tier_name(track, tier)
    except (KeyError, ValueError):
        return tier or "?"


def _finite(x: object) -> object:
    return None if isinstance(x, float) and math.isnan(x) else x
