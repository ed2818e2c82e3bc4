"""The ``memgym`` command: one subcommand per module in ``memgym.commands``.

A module there provides ``register(sub)``, which adds its parser and sets ``func``; adding a
command is one new module and one line in ``COMMANDS``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from rich.markup import escape

from memgym import __version__
from memgym.commands import (
    audit,
    compare,
    generate,
    proxy,
    report,
    results,
    rm,
    run,
    serve,
    tracks,
    trajectories,
    validate,
)
from memgym.commands.common import err_console

COMMANDS = (
    tracks,
    generate,
    run,
    validate,
    compare,
    results,
    report,
    serve,
    audit,
    trajectories,
    proxy,
    rm,
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="memgym", description="Long-horizon memory benchmark for LLM agents."
    )
    parser.add_argument("--version", action="version", version=f"memgym {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    for command in COMMANDS:
        command.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``memgym`` command."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except (ValueError, KeyError) as exc:
        message = exc.args[0] if isinstance(exc, KeyError) and exc.args else str(exc)
        err_console.print(f"[red]error:[/] {escape(str(message))}")
        return 2
    except KeyboardInterrupt:
        err_console.print("[yellow]interrupted[/]")
        return 130


if __name__ == "__main__":
    sys.exit(main())
