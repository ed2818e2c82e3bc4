"""``memgym proxy``: a memgym memory strategy in front of any OpenAI-compatible endpoint."""

from __future__ import annotations

import argparse
import os

from memgym.commands.common import check_output, port

DEFAULT_MEMORY = "summary:max_tokens=8000"
TOKEN_ENV = "MEMGYM_PROXY_TOKEN"
"""``--token-env``'s default: unset, the proxy serves loopback only, with no token."""


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the ``proxy`` subcommand."""
    p = sub.add_parser(
        "proxy",
        help="apply a memory strategy to every chat request on its way to an OpenAI-compatible API",
    )
    p.add_argument(
        "--upstream",
        help="upstream base URL, e.g. http://host:8000/v1 (required unless --export-rows)",
    )
    p.add_argument(
        "--memory", default=DEFAULT_MEMORY, help=f"memory spec (default {DEFAULT_MEMORY})"
    )
    p.add_argument(
        "--track", default="entities", help="track whose reader memories use (default entities)"
    )
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    p.add_argument(
        "--port", type=port, default=8001, help="port (default 8001; 0 picks a free one)"
    )
    p.add_argument(
        "--records",
        default="memgym-proxy-compactions.jsonl",
        help="JSONL file the compaction records are appended to",
    )
    p.add_argument(
        "--token-env",
        default=TOKEN_ENV,
        help=f"environment variable holding the bearer token clients must send (default {TOKEN_ENV};"
        " unset: no token, loopback only; a variable named here must be set)",
    )
    p.add_argument(
        "--upstream-key-env",
        default=None,
        help="environment variable holding the upstream API key (default: pass the client's on)",
    )
    p.add_argument("--max-body", type=int, default=16 << 20, help="request body limit, bytes")
    p.add_argument("--max-messages", type=int, default=10_000, help="messages per request limit")
    p.add_argument("--max-conversations", type=int, default=256, help="conversations kept (LRU)")
    p.add_argument("--timeout", type=float, default=600.0, help="upstream timeout, seconds")
    p.add_argument(
        "--gate", default=None, metavar="MODEL_PATH", help="MemRM model gating compactions"
    )
    p.add_argument(
        "--gate-threshold",
        type=float,
        default=None,
        help="with --gate: P(HARMFUL) at which a compaction is refused (default 0.5)",
    )
    p.add_argument("--max-seconds", type=float, default=None, help="stop after this many seconds")
    p.add_argument(
        "--export-rows",
        default=None,
        metavar="OUT",
        help="serve nothing: write the --records file as MemRM rows (for `memgym rm score`) to OUT",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import time

    from memgym.commands.common import err_console
    from memgym.proxy import MemoryProxy, RecordLog, running
    from memgym.proxy.gate import load_gate
    from memgym.proxy.server import LOOPBACK
    from memgym.rmdata.proxy_rows import export_rows

    if args.export_rows:
        if not os.path.exists(args.records):
            raise ValueError(f"no records file at {args.records}")
        check_output(args.export_rows, "--export-rows", (args.records, "--records"))
        n = export_rows(args.records, args.export_rows)
        err_console.print(f"wrote {n} MemRM rows from {args.records} to {args.export_rows}")
        return 0
    if not args.upstream:
        raise ValueError("--upstream URL is required (the endpoint requests are forwarded to)")
    token = os.environ.get(args.token_env) or None
    if not token and args.token_env != TOKEN_ENV:
        raise ValueError(f"--token-env: ${args.token_env} is not set")
    if args.gate_threshold is not None and not args.gate:
        raise ValueError("--gate-threshold needs --gate MODEL_PATH")
    threshold = 0.5 if args.gate_threshold is None else args.gate_threshold
    if not token and args.host not in LOOPBACK:
        raise ValueError(
            f"refusing to bind {args.host} without a token: set ${args.token_env} (the variable "
            "--token-env names) to the bearer token clients must send"
        )
    upstream_key = None
    if args.upstream_key_env:
        upstream_key = os.environ.get(args.upstream_key_env)
        if not upstream_key:
            raise ValueError(f"--upstream-key-env: ${args.upstream_key_env} is not set")
    for option, value in (("--timeout", args.timeout), ("--max-seconds", args.max_seconds)):
        if value is not None and not value > 0:
            raise ValueError(f"{option} must be above 0 seconds, got {value}")
    if not 0.0 <= threshold <= 1.0:
        raise ValueError(f"--gate-threshold must be in [0, 1], got {threshold}")
    gate = load_gate(args.gate) if args.gate else None
    records = RecordLog(args.records)
    try:
        proxy = MemoryProxy(
            args.memory,
            track=args.track,
            gate=gate,
            threshold=threshold,
            records=records,
            max_conversations=args.max_conversations,
        )
        options = {
            "host": args.host,
            "port": args.port,
            "token": token,
            "upstream_key": upstream_key,
            "max_body": args.max_body,
            "max_messages": args.max_messages,
            "timeout": args.timeout,
        }
        with running(proxy, args.upstream, **options) as server:
            auth = "bearer token required" if token else "no token"
            err_console.print(
                f"memgym proxy on {server.base_url} -> {args.upstream} (memory {args.memory}; "
                f"{auth}; records to {args.records}); Ctrl-C stops"
            )
            end = float("inf") if args.max_seconds is None else time.monotonic() + args.max_seconds
            try:
                while (left := end - time.monotonic()) > 0:
                    time.sleep(min(0.1, left))
            except KeyboardInterrupt:
                pass
            err_console.print(
                f"proxied: {dict(server.stats)}; {proxy.conversations()} conversations; "
                f"{records.written} compaction records"
            )
    finally:
        records.close()
    return 0
