"""Shared pieces of the ``memgym`` subcommands: consoles, progress bars, tables, arguments."""

from __future__ import annotations

import argparse
import math
import os
import sys
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from memgym.commands.tables import Cell, Column, fit
from memgym.specs import typed_value
from memgym.types import EpisodeResult

MAX_SEEDS = 100_000
"""The most seeds one command takes (``--seeds``): more is surely a typo; shard bigger work."""


def _stdout_width() -> int | None:
    """The terminal's width (None: let rich ask it); through a pipe ``COLUMNS``, else 200, so
    that tables written to a file are not squeezed to 80 columns."""
    if sys.stdout.isatty():
        return None
    try:
        return max(40, int(os.environ["COLUMNS"]))
    except (KeyError, ValueError):
        return 200


console = Console(width=_stdout_width())
err_console = Console(stderr=True, soft_wrap=True)
"""stderr: progress bars and messages; ``soft_wrap``: a message is one line, never folded."""


def plural(n: int, word: str, many: str | None = None) -> str:
    """``1 seed``, ``5 seeds``."""
    return f"{n:,} {word if n == 1 else (many or word + 's')}"


def progress(*extra: ProgressColumn) -> Progress:
    """A progress bar on stderr, with ``extra`` columns; when stderr is not a terminal the bar is
    hidden and plain lines are written instead (``memgym.commands.logged_progress``)."""
    from memgym.commands.logged_progress import LoggedProgress

    return LoggedProgress(
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
        log=None if err_console.is_terminal else err_console,
    )


def overrides(pairs: Sequence[str]) -> dict[str, Any]:
    """``["k=v", ...]`` from repeated ``--param`` flags as typed track overrides (each value an
    int, a float, true/false or text, as in memory specs)."""
    options: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise ValueError(f"bad --param {pair!r}: expected KEY=VALUE, e.g. doc_style=kv")
        if key.strip() == "tier":
            raise ValueError("the tier is not a --param: give --tier NAME")
        if key.strip() in options:  # the first value would be silently dropped
            raise ValueError(f"--param {key.strip()} given twice")
        options[key.strip()] = typed_value(value.strip())
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


def check_at_least(args: argparse.Namespace, **floors: int) -> None:
    """A ``ValueError`` naming the first option below its floor, e.g. ``check_at_least(args,
    workers=1)``: "--workers must be at least 1, got 0" (an option left None is not checked)."""
    for name, floor in floors.items():
        value = getattr(args, name)
        if value is not None and value < floor:
            raise ValueError(f"--{name.replace('_', '-')} must be at least {floor}, got {value}")


def seed_count(text: str) -> int:
    """``--seeds``: a whole number from 1 to ``MAX_SEEDS`` (argparse prints the message)."""
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a whole number of seeds, got {text!r}"
        ) from None
    if not 1 <= n <= MAX_SEEDS:
        raise argparse.ArgumentTypeError(
            f"must be from 1 to {MAX_SEEDS:,}, got {n:,} (split bigger work with --seed FIRST "
            "and several runs)"
        )
    return n


def port(text: str) -> int:
    """``--port``: a TCP port from 0 (any free one) to 65535 (argparse prints the message)."""
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a port number, got {text!r}") from None
    if not 0 <= n <= 65535:
        raise argparse.ArgumentTypeError(f"must be from 0 to 65535, got {n}")
    return n


MAX_FIRST_SEED = 2**62
"""The largest ``--seed``: seeds are stored as SQLite integers (64-bit, signed)."""


def first_seed(text: str) -> int:
    """``--seed``: a whole number from 0 to ``MAX_FIRST_SEED`` (argparse prints the message)."""
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if not 0 <= n <= MAX_FIRST_SEED:
        raise argparse.ArgumentTypeError(f"must be from 0 to 2**62, got {n}")
    return n


def check_output(path: str, option: str, *inputs: tuple[str | None, str]) -> None:
    """``ValueError`` unless ``path`` (given as ``option``) can be written: its folder exists, it is
    not a folder, and it is none of ``inputs`` ((path or None, option) pairs: what the command
    reads, or writes elsewhere), so an output never overwrites its own input."""
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise ValueError(f"cannot write {option} {path}: no folder {folder}")
    if os.path.isdir(path):
        raise ValueError(f"cannot write {option} {path}: it is a folder")
    for other, other_option in inputs:
        if other and os.path.realpath(other) == os.path.realpath(path):
            raise ValueError(f"{option} {path} is also {other_option}: give another file")


def check_out_folder(path: str, option: str = "--out") -> None:
    """``ValueError`` unless ``path`` can be the folder a command writes: not a file, in a folder
    that exists and can be written (checked before a model loads or a step runs)."""
    if os.path.isfile(path):
        raise ValueError(f"cannot write {option} {path}: it is a file (a folder is written)")
    parent = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(parent):
        raise ValueError(f"cannot write {option} {path}: no folder {parent}")
    if not os.access(parent, os.W_OK) or (os.path.isdir(path) and not os.access(path, os.W_OK)):
        raise ValueError(f"cannot write {option} {path}: read-only")


def check_results_output(path: str, option: str, *inputs: tuple[str | None, str]) -> None:
    """``check_output``, and an existing non-empty ``path`` must be a memgym results file (read
    without changing it): what a command adds its rows to is never another program's database."""
    from memgym.run.results import ResultsStore

    check_output(path, option, *inputs)
    if os.path.isfile(path) and os.path.getsize(path) > 0:
        with ResultsStore.open_read(path):
            pass


def add_seed_args(p: argparse.ArgumentParser, seeds: int, what: str = "number of seeds") -> None:
    """--seeds N and --seed FIRST: the seeds FIRST .. FIRST+N-1 a command runs."""
    p.add_argument(
        "--seeds",
        type=seed_count,
        default=seeds,
        help=f"{what} (default {seeds}, at most {MAX_SEEDS:,})",
    )
    p.add_argument("--seed", type=first_seed, default=0, help="first seed (default 0)")


def tier_name(track: str, tier: str | None) -> str:
    """``tier``, or the name of the track's default tier."""
    if tier:
        return tier
    from memgym.tracks import get_track

    return get_track(track).default_tier


def canonical_tier(track: str, tier: str | None) -> str | None:
    """``tier_name`` where the track is registered here (a plugin's may not be: ``tier`` as
    given), so a run started without ``--tier`` and resumed with the default's name (or the
    other way round) is the same run."""
    try:
        return tier_name(track, tier)
    except (KeyError, ValueError):
        return tier


def add_retries_arg(p: argparse.ArgumentParser) -> None:
    """--episode-retries N: an episode that ended ``infra_error`` is run again, up to N times."""
    p.add_argument(
        "--episode-retries",
        type=int,
        default=2,
        help="run an episode that ended infra_error again, up to N times (default 2)",
    )


def add_resamples_arg(p: argparse.ArgumentParser) -> None:
    """--resamples N: the bootstrap resamples of the isolated scores' confidence intervals."""
    p.add_argument("--resamples", type=int, default=1000, help="bootstrap resamples (default 1000)")


def add_results_arg(p: argparse.ArgumentParser) -> None:
    """--results FILE: the SQLite results file episodes are written to."""
    p.add_argument("--results", default="memgym-results.sqlite", help="SQLite results file")


def mean_cell(mean: float, se: float) -> Cell:
    """``("0.400", "±0.194")``; ``-`` for no value, no ``±`` for a single seed."""
    if math.isnan(mean):
        return "-"
    return (f"{mean:.3f}", f"±{se:.3f}" if se and not math.isnan(se) else "")


SUMMARY_COLUMNS = (
    Column("breadth", priority=7),
    Column("maintenance", "mainte-\nnance", priority=6),
    Column("reasoning", "reason-\ning", priority=5),
    Column("efficiency", "effi-\nciency", priority=4),
    Column("composite", "compo-\nsite"),
    Column("accuracy", "accu-\nracy", priority=8),
    Column("abstention", "absten-\ntion", priority=3),
    Column("writes", priority=2),
    Column("episodes", "epi-\nsodes", priority=1),
)


def print_summary(
    results: Iterable[EpisodeResult],
    title: str,
    policies: Mapping[tuple[str, str], str] | None = None,
    order: Sequence[tuple[str, str]] = (),
    caption: str | None = None,
) -> None:
    """The per-axis table: mean ± standard error over seeds per memory / reasoner pair, each
    labelled by its policy name or a short memory label (the full specs are in ``--json``), in
    the order of ``order`` and then of first appearance. Fits the terminal's width."""
    from memgym.labels import pair_labels, reasoner_label
    from memgym.run.summary import COLUMNS, summarize

    table = summarize(results)
    if table and all(not math.isnan(cols["turns"][0]) for cols in table.values()):
        _print_tasks(table, title, policies, order, caption)
        return
    keys = [k for k in order if k in table] + [k for k in table if k not in order]
    labels, shared = pair_labels(keys, policies)
    named = bool(policies) and all(k in (policies or {}) for k in keys)
    head = Column(
        "policy" if named else "memory" if shared else "memory / reasoner", justify="left"
    )
    rows: list[list[Cell]] = []
    for key in keys:
        cols = table[key]
        cells: list[Cell] = [labels[key]]
        cells += [mean_cell(*cols[name]) for name in (*COLUMNS, "abstention")]
        cells += [f"{cols['writes'][0]:.1f}", f"{int(cols['episodes'][0])}"]
        rows.append(cells)
    if shared and not named:
        title += f" / reasoner {reasoner_label(shared)}"
    console.print(fit(title, (head, *SUMMARY_COLUMNS), rows, console.width, console, caption))


TASK_COLUMNS = (
    Column("reward"),
    Column("solved", priority=5),
    Column("turns / task", "turns/\ntask", priority=3),
    Column("tool calls / task", "tools/\ntask", priority=2),
    Column("view tokens / task", "view tok/\ntask", priority=4),
    Column("episodes", "epi-\nsodes", priority=1),
)


def _print_tasks(
    table: Mapping[tuple[str, str], Mapping[str, tuple[float, float]]],
    title: str,
    policies: Mapping[tuple[str, str], str] | None,
    order: Sequence[tuple[str, str]],
    caption: str | None,
) -> None:
    """``print_summary`` for interactive episodes: mean task reward, share solved, and the
    agent's turns, tool calls and view tokens per task."""
    from memgym.labels import pair_labels

    keys = [k for k in order if k in table] + [k for k in table if k not in order]
    labels, _ = pair_labels(keys, policies)
    rows: list[list[Cell]] = []
    for key in keys:
        cols = table[key]
        cells: list[Cell] = [
            labels[key],
            mean_cell(*cols["composite"]),
            mean_cell(*cols["accuracy"]),
        ]
        cells += [f"{cols[n][0]:.1f}" for n in ("turns", "tool_calls")]
        cells += [f"{cols['view_tokens'][0]:.0f}", f"{int(cols['episodes'][0])}"]
        rows.append(cells)
    head = Column("memory / agent", justify="left")
    console.print(fit(title, (head, *TASK_COLUMNS), rows, console.width, console, caption))


def print_usage(
    results: Iterable[EpisodeResult], outside: dict[str, dict[str, float]] | None = None
) -> None:
    """Totals of the episodes' LLM usage (nothing for runs without LLM calls; ``outside``: a
    run's calls outside its episodes, by part, such as compare's closed-book probe), the answers
    lost to context overflows, and the ``infra_error`` episodes left out of scores."""
    from memgym.llm.usage import add_usage, describe

    outside = {part: spent for part, spent in (outside or {}).items() if spent.get("calls")}
    usage: dict[str, float] = add_usage(outside.values())
    infra = total = 0
    lost: dict[str, list[int]] = {}  # streamed: counts per pair, no episode kept
    for r in results:
        usage = add_usage([usage, r.usage])
        infra += r.status == "infra_error"
        total += 1
        count_overflows(lost, r)
    if usage.get("calls"):
        console.print(f"usage: {describe(usage)}")
        for part, spent in outside.items():
            console.print(f"  of which {part.replace('_', '-')}: {describe(spent)}")
    print_lost(lost)
    if infra:
        console.print(
            f"[yellow]{infra} of {total} episodes ended infra_error[/]: excluded from the"
            " table; `memgym run ... --resume` re-runs them"
        )


def count_overflows(lost: dict[str, list[int]], r: EpisodeResult) -> None:
    """Add one episode to ``lost``: pair label -> [answers lost to overflows, answers]."""
    from memgym.labels import reasoner_label, spec_label

    if r.status == "infra_error":
        return
    pair = f"{spec_label(r.memory)} / {reasoner_label(r.reasoner)}"
    counts = lost.setdefault(pair, [0, 0])
    counts[0] += r.overflows
    counts[1] += len(r.answers)


def print_lost(lost: dict[str, list[int]]) -> None:
    """The overflow lines of ``count_overflows``' tallies (pairs without any: nothing)."""
    for key, (overflows, answers) in lost.items():
        if overflows:
            console.print(
                f"[yellow]context overflow on {overflows}/{answers} answers[/] of "
                f"{key}: the prompt outgrew the model's window (scored wrong; "
                "--context-window N fits prompts to it)"
            )


def say_reasons(episodes: Iterable[EpisodeResult]) -> None:
    """On stderr, each distinct reason ``infra_error`` episodes failed for (one line each)."""
    reasons = Counter(e.reason for e in episodes if e.status == "infra_error" and e.reason)
    for reason, count in reasons.most_common():
        err_console.print(f"{plural(count, 'episode')} failed: {escape(reason)}", soft_wrap=True)


def disk_full(exc: BaseException) -> bool:
    """Whether ``exc`` says the disk (or the user's quota) is full: SQLite's ``SQLITE_FULL``,
    or ``ENOSPC``/``EDQUOT`` from the system."""
    import errno
    import sqlite3

    if isinstance(exc, sqlite3.Error):
        return getattr(exc, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL
    return isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT)


def say_disk_full(exc: BaseException, saved: str, again: str) -> int:
    """One line for a run the full disk stopped: what is ``saved`` and the command that
    continues it once there is space; exit code 2, as for every error that stops a command."""
    err_console.print(
        f"[red]error:[/] the disk is full ({exc}): {saved}; free space, then `{again}` continues it",
        soft_wrap=True,
        highlight=False,
    )
    return 2
