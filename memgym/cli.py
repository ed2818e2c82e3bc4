"""The ``memgym`` command: one subcommand per module in ``memgym.commands``.

A module there provides ``register(sub)``, which adds its parser and sets ``func``; adding a
command is one new module and one line in ``COMMANDS``.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
import threading
from collections.abc import Sequence
from typing import NoReturn

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
    train,
    trajectories,
    validate,
)
from memgym.commands import eval as evaluation
from memgym.commands.common import err_console
from memgym.extras import explain

COMMANDS = (
    tracks,
    generate,
    run,
    validate,
    compare,
    evaluation,
    results,
    report,
    serve,
    audit,
    trajectories,
    proxy,
    rm,
    train,
)


class Parser(argparse.ArgumentParser):
    """argparse with one-line errors: ``memgym run: error: argument --seeds: ...`` and exit 2,
    instead of the usage block (``--help`` still prints it)."""

    def error(self, message: str) -> NoReturn:
        line = f"{self.prog}: error: {message} (see {self.prog} --help)"
        sys.stderr.write(" ".join(line.split()) + "\n")
        raise SystemExit(2)


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="memgym", description="Long-horizon memory benchmark for LLM agents.")
    parser.add_argument("--version", action="version", version=f"memgym {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    for command in COMMANDS:
        command.register(sub)
    return parser


def _deepest(parser: argparse.ArgumentParser, argv: list[str]) -> argparse.ArgumentParser:
    """The (sub)command parser ``argv`` reaches: ``memgym rm build ...`` -> ``rm build``'s."""
    current, tokens = parser, argv
    while True:
        choices = next(
            (a.choices for a in current._actions if isinstance(a, argparse._SubParsersAction)),
            None,
        )
        name = next((t for t in tokens if choices and t in choices), None)
        if choices is None or name is None:
            return current
        chosen = choices[name]
        assert isinstance(chosen, argparse.ArgumentParser)
        current, tokens = chosen, tokens[tokens.index(name) + 1 :]


def _error(message: object) -> int:
    """Print ``error: message`` as one line on stderr; the exit code of bad input."""
    text = " ".join(str(message).split())
    err_console.print(f"[red]error:[/] {escape(text)}", soft_wrap=True, highlight=False)
    return 2


def _silence_stdout() -> None:
    """After a broken pipe: point stdout at /dev/null so the exit flush cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``memgym`` command.

    Exit codes: 0 done; 1 done but not good (a run left incomplete by infrastructure failures, a
    failed invariant); 2 bad input, one line on stderr (unknown names, bad numbers, a missing
    folder, a damaged or foreign file, an unreachable endpoint, output closed early); 130
    interrupted (Ctrl-C; what finished is saved).
    """
    parser = build_parser()
    given = list(sys.argv[1:] if argv is None else argv)
    args, extra = parser.parse_known_args(given)
    if extra:  # named by the command that did not take them: `memgym generate: error: ...`
        _deepest(parser, given).error(f"unrecognized arguments: {' '.join(extra)}")
    try:
        return int(args.func(args) or 0)
    except (ValueError, KeyError) as exc:
        message = exc.args[0] if isinstance(exc, KeyError) and exc.args else str(exc)
        return _error(message)
    except ImportError as exc:  # an optional module imported outside ``memgym.extras.require``
        sub = getattr(args, f"{args.command}_command", None)
        missing = explain(exc, " ".join(["memgym", args.command, *([sub] if sub else [])]))
        if missing is None:
            raise
        return _error(missing)
    except BrokenPipeError:
        _silence_stdout()
        return _error("output closed before memgym finished writing it (broken pipe)")
    except sqlite3.DatabaseError as exc:
        return _error(f"SQLite: {exc}")
    except OSError as exc:
        where = f": {exc.filename}" if exc.filename else ""
        return _error(f"{exc.strerror or exc}{where}")
    except KeyboardInterrupt:
        err_console.print("[yellow]interrupted[/]")
        return 130


def console_main() -> NoReturn:
    """The process entry point (``memgym``, ``python -m memgym``): ``main``, then exit.

    After Ctrl-C, worker threads still inside an abandoned episode are neither waited for nor
    finalised (a thread in native code at interpreter shutdown can abort the process with
    SIGABRT): everything finished is already stored, so output is flushed and the process ends
    at once with 130."""
    code = main()
    if code == 130 and any(t.daemon and t.is_alive() for t in threading.enumerate()):
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    sys.exit(code)


if __name__ == "__main__":
    console_main()
