"""``memgym report``: one self-contained HTML report (inline SVG charts) of a results file."""

from __future__ import annotations

import argparse

from memgym.commands.common import add_resamples_arg, check_at_least, check_output, err_console


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the ``report`` subcommand."""
    p = sub.add_parser("report", help="write an HTML report (charts, leaderboard) of results")
    p.add_argument("results", help="SQLite results file")
    p.add_argument("-o", "--out", default="report.html", help="HTML file to write (report.html)")
    p.add_argument("--run", type=int, help="report one run id (default: every run in the file)")
    add_resamples_arg(p)
    p.add_argument(
        "--include-incomplete",
        action="store_true",
        help="rank incomplete runs in the leaderboard too (flagged); default: complete runs only",
    )
    p.add_argument(
        "--grpo",
        action="append",
        default=[],
        metavar="REWARDS_JSON",
        help="also draw a GRPO run's reward per step (its OUT/rewards.json; repeatable)",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from memgym.report import write_report

    check_at_least(args, resamples=1)
    check_output(
        args.out,
        "-o",
        (args.results, "the results file"),
        *((g, "--grpo") for g in args.grpo or ()),
    )
    path = write_report(
        args.results, args.out, args.run, args.resamples, args.include_incomplete, args.grpo
    )
    err_console.print(f"report written to {path} ({path.stat().st_size / 1024:.0f} KiB)")
    return 0
