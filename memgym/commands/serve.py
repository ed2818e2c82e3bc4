"""``memgym serve``: run the scripted OpenAI-compatible chat server until interrupted."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from memgym.commands.common import check_at_least, port

FAULT_OPTIONS: tuple[tuple[str, dict[str, Any]], ...] = (
    ("rate_429", {"type": float, "default": 0.0, "help": "share of requests answered 429"}),
    ("rate_5xx", {"type": float, "default": 0.0, "help": "share of requests answered 503"}),
    ("retry_after", {"type": float, "default": 1.0, "help": "Retry-After of a 429, seconds"}),
    ("latency", {"type": float, "default": 0.0, "help": "seconds added to every request"}),
    ("malformed", {"type": float, "default": 0.0, "help": "share of tool calls with bad JSON"}),
    (
        "wrong_args",
        {
            "type": float,
            "default": 0.0,
            "help": "share of tool calls with well-formed but wrong arguments",
        },
    ),
    ("truncate", {"type": float, "default": 0.0, "help": "share of answers cut short"}),
    ("context", {"type": int, "default": 0, "help": "context window in tokens (0: none)"}),
    (
        "fail_questions",
        {
            "type": float,
            "default": 0.0,
            "help": "share of questions (a seeded hash of their spec) answered 503 on every "
            "request: their episodes fail however often they are retried",
        },
    ),
    (
        "tools_need_choice",
        {
            "action": "store_true",
            "help": "like llama-cpp-python's server: ignore a request's tools unless it sends "
            "tool_choice",
        },
    ),
    ("seed", {"type": int, "default": 0, "help": "seed of the fault draws (default 0)"}),
)
"""Each ``Faults`` field as a ``--flag`` (the field name, dashed) and its argparse options."""


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the ``serve`` subcommand."""
    p = sub.add_parser(
        "serve", help="serve scripted replies over the OpenAI chat-completions API (for testing)"
    )
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    p.add_argument(
        "--port", type=port, default=8000, help="port (default 8000; 0 picks a free one)"
    )
    for name, options in FAULT_OPTIONS:
        p.add_argument("--" + name.replace("_", "-"), **options)
    p.add_argument(
        "--max-episodes",
        type=int,
        default=64,
        help="write-driving episodes kept at once, least recently used evicted (default 64)",
    )
    p.add_argument(
        "--max-seconds",
        type=float,
        default=None,
        help="stop after this many seconds (default: never)",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import time

    from memgym.commands.common import err_console
    from memgym.serve import Faults, running

    faults = Faults(**{name: getattr(args, name) for name, _ in FAULT_OPTIONS})
    check_at_least(args, max_episodes=1)
    if args.max_seconds is not None and not args.max_seconds > 0:
        raise ValueError(f"--max-seconds must be above 0 seconds, got {args.max_seconds}")
    stop: list[int] = []
    restore = _stop_on_signals(stop)  # before the address is printed: a client may kill at once
    try:
        with running(args.host, args.port, faults, args.max_episodes) as server:
            err_console.print(
                f"memgym serve on {server.base_url} (model memgym-scripted; {faults}); Ctrl-C stops"
            )
            end = float("inf") if args.max_seconds is None else time.monotonic() + args.max_seconds
            while not stop and (left := end - time.monotonic()) > 0:
                time.sleep(min(0.1, left))
            err_console.print(f"served: {dict(server.stats)}")
    finally:
        restore()
    return 0


def _stop_on_signals(stop: list[int]) -> Callable[[], None]:
    """Make SIGTERM (``kill PID``) and SIGINT append to ``stop``, so either ends the server with
    its stats printed (a script's background job ignores SIGINT: ``kill`` is how scripts stop
    it). Only the main thread can set handlers; returns the function that restores them."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        return lambda: None
    before = {signum: signal.getsignal(signum) for signum in (signal.SIGTERM, signal.SIGINT)}
    for signum in before:
        signal.signal(signum, lambda number, _frame: stop.append(number))

    def restore() -> None:
        for signum, handler in before.items():
            signal.signal(signum, handler)

    return restore
