"""``memgym validate``: the invariant table proving the scoring cannot be gamed."""

from __future__ import annotations

import argparse
import json
import os
import time
from typing import Any

from rich.progress import TaskID
from rich.table import Table

from memgym.commands.common import add_seed_args, check_at_least, console, err_console, progress


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the ``validate`` subcommand."""
    p = sub.add_parser(
        "validate", help="prove the scoring cannot be gamed on every track (invariant table)"
    )
    add_seed_args(
        p,
        10,
        "seeds per track and tier; the invariants are means over seeds, so "
        "use 10 or more (a few seeds can fail them by chance)",
    )
    p.add_argument(
        "--track",
        default="all",
        help="comma-separated tracks, or 'all' (default: every question-stream track)",
    )
    p.add_argument(
        "--tiers",
        default="lite,standard",
        help="comma-separated tiers, or 'all' (each track's own tiers; default lite,standard)",
    )
    p.add_argument(
        "--templates",
        help="entities only: one group per comma-separated template, or 'all' (every template)",
    )
    p.add_argument(
        "--bounded",
        default="quick",
        help="the bounded-memory family: quick (default), full (every event class, every "
        "member printed) or off",
    )
    p.add_argument(
        "--workers",
        type=int,
        default=min(2, os.cpu_count() or 1),
        help="worker processes (default 2, or 1 on a one-CPU machine)",
    )
    p.add_argument(
        "--isolate",
        action="store_true",
        help="run the policies behind the trust boundary (a worker process), as plugins run",
    )
    p.add_argument("--json", action="store_true", help="print the reports as JSON")
    p.set_defaults(func=run)


def _tracks(text: str) -> list[str]:
    from memgym.tracks.registry import stream_track_names

    streams = stream_track_names()
    if text == "all":
        return streams
    asked = [t.strip() for t in text.split(",") if t.strip()]
    if not asked:
        raise ValueError(
            f"--track names no track: {text!r} (give all, or some of {', '.join(streams)})"
        )
    if bad := [t for t in asked if t not in streams]:
        raise ValueError(
            f"unknown or interactive track(s) {bad}; validate runs: {', '.join(streams)}"
        )
    return asked


def run(args: argparse.Namespace) -> int:
    from memgym.salt import seeds_note
    from memgym.simulation.validate import BOUNDED_MODES, unit_count, validate
    from memgym.tracks import get_track
    from memgym.tracks.entities.templates import TEMPLATES

    tracks = _tracks(args.track)
    templates = None
    if args.templates:
        templates = (
            sorted(TEMPLATES)
            if args.templates == "all"
            else [t.strip() for t in args.templates.split(",") if t.strip()]
        )
    if templates is not None:
        if "entities" not in tracks:
            raise ValueError("--templates applies to the entities track only")
        if unknown := [t for t in templates if t not in TEMPLATES]:
            raise ValueError(
                f"unknown template(s) {unknown}; known: {', '.join(sorted(TEMPLATES))}"
            )
    tiers = None if args.tiers == "all" else [t.strip() for t in args.tiers.split(",") if t.strip()]
    if tiers == []:
        raise ValueError(f"--tiers names no tier: {args.tiers!r}")
    if tiers is not None:
        known = {t for name in tracks for t in get_track(name).tiers}
        if bad := [t for t in tiers if t not in known]:
            raise ValueError(f"unknown tier(s) {bad}; known: {', '.join(sorted(known))} (or 'all')")
    bounded = "" if args.bounded == "off" else args.bounded
    if bounded not in BOUNDED_MODES:
        raise ValueError(f"--bounded must be quick, full or off, got {args.bounded!r}")
    check_at_least(args, seeds=1, workers=1)
    _note_missing_learners(bounded)
    seeds = list(range(args.seed, args.seed + args.seeds))
    groups = sum(
        len([t for t in (tiers or get_track(n).tiers) if t in get_track(n).tiers])
        * (len(templates) if n == "entities" and templates else 1)
        for n in tracks
    )
    start = time.perf_counter()
    with progress() as bar:
        learning = bar.add_task("learning adversaries", total=groups)
        units: list[TaskID] = []  # added once every group's adversaries are fitted
        scenarios = unit_count(groups, len(seeds), bounded)

        def learned(k: int, total: int) -> None:
            bar.update(learning, completed=k)
            if k == total:
                units.append(bar.add_task("validate", total=scenarios))

        reports = validate(
            tracks,
            tiers,
            seeds,
            workers=args.workers,
            on_done=lambda _: bar.advance(units[0]),
            templates=templates,
            bounded=bounded,
            isolate=args.isolate,
            on_learned=learned,
        )
    elapsed = time.perf_counter() - start
    if args.json:
        print(json.dumps([r.__dict__ | {"passed": r.passed} for r in reports], indent=2))
    else:
        _print_validate(reports, len(seeds))
        if bounded:
            _print_bounded(reports, every=bounded == "full")
        _print_concentration(reports)
    failed = [r for r in reports if not r.passed]
    episodes = sum(len(r.composite) for r in reports) * len(seeds)
    status = (
        "[green]all invariants pass[/]" if not failed else f"[red]{len(failed)} group(s) failed[/]"
    )
    err_console.print(f"{status}: {episodes} episodes in {elapsed:.2f} s{seeds_note()}")
    return 1 if failed else 0


def _print_validate(reports: list, seeds: int) -> None:  # type: ignore[type-arg]
    from memgym.simulation.cheats import CHEAT_CEILING
    from memgym.simulation.policies import HONEST
    from memgym.simulation.validate import CHEATS

    table = Table(title=f"memgym validate: mean composite over {seeds} seeds")
    table.add_column("track/tier")
    for name in HONEST:
        table.add_column(name, justify="right")
    table.add_column("worst cheat", justify="right")
    table.add_column("checks")
    for r in reports:
        worst = r.worst_cheat
        checks = " ".join(
            ("[green]✓[/]" if ok else "[red]✗ " + name + "[/]") for name, ok in r.checks.items()
        )
        table.add_row(
            r.label,
            *(f"{r.composite[n]:.3f}" for n in HONEST),
            f"{r.composite[worst]:.3f} {worst}",
            checks,
        )
    console.print(table)
    cheats = Table(title=f"cheats: mean composite (each must be ≤ {CHEAT_CEILING:.2f})")
    cheats.add_column("cheat")
    for r in reports:
        cheats.add_column(r.label.replace("/", "\n"), justify="right")
    for name in CHEATS:
        cells = [
            f"[red]{r.composite[name]:.3f}[/]"
            if r.composite[name] > CHEAT_CEILING
            else f"{r.composite[name]:.3f}"
            for r in reports
        ]
        cheats.add_row(name, *cells)
    console.print(cheats)
    names = list(dict.fromkeys(n for r in reports for n in r.checks))
    for name in names:
        having = [r for r in reports if name in r.checks]
        passed = sum(r.checks[name] for r in having)
        console.print(f"  {name}: {passed}/{len(having)} groups pass")


def _note_missing_learners(bounded: str) -> None:
    """One line when scikit-learn is missing: the learned adversaries are then skipped."""
    from memgym.extras import MissingExtra
    from memgym.simulation.learned_selector import available

    if not available():
        what = "the learned selector and option picker" if bounded else "the learned option picker"
        err_console.print(f"note: skipped: {MissingExtra(what, 'sklearn')}")


def _print_concentration(reports: list) -> None:  # type: ignore[type-arg]
    """Per group: the mean (and largest) share of scored questions whose evidence lies in the
    best event and in the best three, and the learned selector's evidence AUROC."""
    from memgym.simulation.concentration import CONCENTRATION_MAX, CONCENTRATION_TIERS

    table = Table(
        title="evidence concentration: share of scored questions answered by the best event "
        f"(≤ {CONCENTRATION_MAX:.2f} at {'/'.join(CONCENTRATION_TIERS)}) and the best 3 "
        "(mean, max over seeds); learned selector's evidence AUROC"
    )
    for column in ("track/tier", "best event", "best 3 events", "evidence AUROC"):
        table.add_column(column, justify="left" if column == "track/tier" else "right")
    for r in reports:
        c = r.concentration
        if not c:
            continue
        best = f"{c['best']:.3f} ({c['best_max']:.3f})"
        if r.tier in CONCENTRATION_TIERS and c["best"] > CONCENTRATION_MAX:
            best = f"[red]{best}[/]"
        auroc = "" if r.auroc is None else f"{r.auroc:.3f}"
        table.add_row(r.label, best, f"{c['best3']:.3f} ({c['best3_max']:.3f})", auroc)
    console.print(table)


def _print_bounded(reports: list, every: bool) -> None:  # type: ignore[type-arg]
    """The bounded family's table: per member shape the worst judged size (``every``: each
    member), and the union bound; a member holding too much of the stream to be judged shows
    in parentheses."""
    from memgym.simulation.bounded import BOUNDED_SHARE, UNION
    from memgym.simulation.bounded_family import family
    from memgym.simulation.cheats import CHEAT_CEILING

    table = Table(
        title=f"bounded memories: mean composite, each ≤ {CHEAT_CEILING:.2f} "
        f"((x): held over {BOUNDED_SHARE:.1%} of the stream, not judged)"
    )
    table.add_column("member" if every else "member (worst size)")
    for r in reports:
        table.add_column(r.label.replace("/", "\n"), justify="right")
    members = family(every)
    shapes: dict[str, list[str]] = {}
    for m in members:
        shapes.setdefault(m.name if every else m.group, []).append(m.name)
    shapes[UNION] = [UNION]
    sizes = {m.name: ("N=" if m.group == m.rule else "K=") + str(m.size) for m in members}

    def cell(r: Any, names: list[str]) -> str:
        present = [n for n in names if n in r.bounded]
        if not present:
            return ""
        judged = [n for n in present if r.bounded_share[n] <= BOUNDED_SHARE]
        if not judged:
            worst = max(present, key=lambda n: r.bounded[n])
            return f"[dim]({r.bounded[worst]:.3f})[/]"
        worst = max(judged, key=lambda n: r.bounded[n])
        size = "" if len(names) == 1 else f" {sizes[worst]}"
        text = f"{r.bounded[worst]:.3f}{size}"
        return f"[red]{text}[/]" if r.bounded[worst] > CHEAT_CEILING else text

    for shape, names in shapes.items():
        table.add_row(shape, *(cell(r, names) for r in reports))
    console.print(table)
