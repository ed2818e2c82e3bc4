"""Shared pieces of the ``memgym`` subcommands: consoles, progress bars, tables, arguments."""

from __future__ import annotations

import argparse
import math
import re
import sys
from collections.abc import Sequence
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from memgym.types import EpisodeResult

# Tables are wide: when printing to a pipe or file, do not squeeze them to 80 columns.
console = Console(width=None if sys.stdout.isatty() else 200)
err_console = Console(stderr=True)


def progress(*extra: ProgressColumn) -> Progress:
    """A progress bar on stderr (hidden when stderr is not a terminal), with ``extra`` columns."""
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("eta"),
        TimeRemainingColumn(),
        *extra,
        console=err_console,
        transient=True,
        disable=not err_console.is_terminal,
    )


def overrides(pairs: Sequence[str]) -> dict[str, Any]:
    """``["k=v", ...]`` from repeated ``--param`` flags as typed track overrides."""
    from memgym.memory.registry import parse_spec

    if not pairs:
        return {}
    _, options = parse_spec("x:" + ",".join(pairs))
    return options


def add_scenario_args(p: argparse.ArgumentParser) -> None:
    """--track, --tier and --param, shared by every command that generates scenarios."""
    p.add_argument("--track", default="entities", help="track name (default: entities)")
    p.add_argument("--tier", default=None, help="tier name (default: the track's default tier)")
    p.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override one track parameter (repeatable), e.g. doc_style=kv",
    )


def add_seed_args(p: argparse.ArgumentParser, seeds: int, what: str = "number of seeds") -> None:
    """--seeds N and --seed FIRST: the seeds FIRST .. FIRST+N-1 a command runs."""
    p.add_argument("--seeds", type=int, default=seeds, help=f"{what} (default {seeds})")
    p.add_argument("--seed", type=int, default=0, help="first seed (default 0)")


def add_results_arg(p: argparse.ArgumentParser) -> None:
    """--results FILE: the SQLite results file episodes are written to."""
    p.add_argument("--results", default="memgym-results.sqlite", help="SQLite results file")


_FILE_PATH = re.compile(r"(?<![^\s,=])(?:~|\.{1,2})?/(?:[^,\s/]+/)*(?P<file>[^,\s/]+)")
"""A file path (``/models/m.gguf``, ``./m.gguf``, ``~/m.gguf``) standing alone or after ``=``."""


def short_label(text: str) -> str:
    """``text`` with every file path in it (a GGUF model's, say) cut to its file name, for tables;
    results files and ``--json`` keep the full name."""
    return _FILE_PATH.sub(lambda m: m["file"], text)


def print_summary(results: list[EpisodeResult], title: str) -> None:
    """The per-axis table: mean ± standard error per memory / reasoner pair."""
    from memgym.run.summary import COLUMNS, summarize

    table = Table(title=title)
    table.add_column("memory / reasoner")
    for name in (*COLUMNS, "abstention", "writes", "episodes"):
        table.add_column(name, justify="right")
    for key, cols in summarize(results, label="pair").items():
        cells = []
        for name in (*COLUMNS, "abstention"):
            m, se = cols[name]
            cells.append("-" if math.isnan(m) else f"{m:.3f}" + (f" ±{se:.3f}" if se else ""))
        cells.append(f"{cols['writes'][0]:.1f}")
        cells.append(f"{int(cols['episodes'][0])}")
        table.add_row(short_label(key), *cells)
    console.print(table)


def print_usage(
    results: list[EpisodeResult], outside: dict[str, dict[str, float]] | None = None
) -> None:
    """Totals of the episodes' LLM usage (plus ``outside``: a run's calls outside its episodes,
    by part), the answers lost to context overflows, and the ``infra_error`` episodes left out
    of scores."""
    from memgym.run.usage import add_usage, describe

    outside = {part: usage for part, usage in (outside or {}).items() if usage.get("calls")}
    usage = add_usage([*(r.usage for r in results), *outside.values()])
    if usage.get("calls"):
        console.print(f"usage: {describe(usage)}")
        for part, spent in outside.items():
            console.print(f"  of which {part.replace('_', '-')}: {describe(spent)}")
    print_overflows(results)
    infra = sum(r.status == "infra_error" for r in results)
    if infra:
        console.print(
            f"[yellow]{infra} of {len(results)} episodes ended infra_error[/]: excluded from the"
            " table; `memgym run ... --resume` re-runs them"
        )


def print_overflows(results: list[EpisodeResult]) -> None:
    """Per memory / reasoner pair, the answers lost to a context overflow (scored wrong)."""
    lost: dict[str, list[int]] = {}
    for r in results:
        if r.status == "infra_error":
            continue
        counts = lost.setdefault(f"{r.memory} / {r.reasoner}", [0, 0])
        counts[0] += r.overflows
        counts[1] += len(r.answers)
    for key, (overflows, answers) in lost.items():
        if overflows:
            console.print(
                f"[yellow]context overflow on {overflows}/{answers} answers[/] of "
                f"{short_label(key)}: the prompt outgrew the model's window (scored wrong; "
                "--context-window N fits prompts to it)"
            )
