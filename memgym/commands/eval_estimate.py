"""What ``memgym eval`` prints before it runs: the estimated calls and tokens per track, and the
time they take at a throughput (``--throughput``, or measured by a short probe of the endpoint:
``memgym.protocol.throughput``; the default when neither is had)."""

from __future__ import annotations

import argparse
from typing import Any

from rich.markup import escape

from memgym.commands.common import err_console, plural, progress

DEFAULT_THROUGHPUT = 2000.0
"""memgym tokens per second the time estimate assumes when neither ``--throughput`` nor a probe
gives one."""


def estimate_and_print(
    protocol: Any,
    args: argparse.Namespace,
    chosen: tuple[str, ...],
    sessions: list[str],
    pending: set[tuple[str, int, str]] | None = None,
    nothing_left: bool = False,
) -> tuple[list[Any], list[Any]]:
    """Estimate the run's cost (with a progress bar) and print it: the stream tracks of
    ``chosen`` (all of them: the entry holds their estimate) and the interactive tracks in
    ``sessions`` (those run here; only their ``pending`` (track, seed, memory) episodes when
    given). With ``nothing_left`` (a resumed run with every episode stored) it says so instead
    of a time. Returns the stream and the interactive costs."""
    from memgym.protocol.estimate import estimate
    from memgym.protocol.session_estimate import session_estimate

    streams = [p.track for p in protocol.tracks if p.track in chosen]
    sessions = [t for t in sessions if protocol.is_session(t)]
    left = {t: {(seed, m) for track, seed, m in pending or () if track == t} for t in sessions}
    total_episodes = protocol.episodes_of(tuple(streams)) + (
        sum(len(v) for v in left.values())
        if pending is not None
        else protocol.episodes_of(tuple(sessions))
    )
    with progress() as bar:
        task = bar.add_task("estimating", total=total_episodes)
        costs = estimate(
            protocol,
            args.context_window or 0,
            args.max_tokens or 0,
            lambda: bar.advance(task),
            streams,
        )
        session_costs = [
            session_estimate(
                protocol, track, lambda: bar.advance(task), left[track] if pending else None
            )
            for track in sessions
        ]
    throughput = args.throughput or DEFAULT_THROUGHPUT
    source = getattr(args, "throughput_source", "--throughput")
    every = costs + session_costs
    total = sum(c.tokens for c in every)
    window = f", context window {args.context_window:,}" if args.context_window else ""
    planned = protocol.episodes_of(chosen)
    err_console.print(
        f"protocol {protocol.name} v{protocol.version}: {plural(planned, 'episode')} "
        f"({plural(len(chosen), 'track')} x seeds x memories){window}"
    )
    for c in every:
        how = " (context agent)" if c in session_costs else ""
        err_console.print(
            f"  {c.track:<9} {plural(c.episodes, 'episode'):>13}  {c.calls:>7,} calls  "
            f"{c.prompt_tokens:>12,} prompt + {c.completion_tokens:>9,} completion tokens{how}"
        )
    if nothing_left:
        err_console.print(
            f"nothing left to run: every episode is stored (the entry's estimate: "
            f"{sum(c.calls for c in every):,} calls, {total:,} tokens, memgym's count)"
        )
        return costs, session_costs
    hours = total / throughput / 3600
    err_console.print(
        f"estimate: {sum(c.calls for c in every):,} calls, {total:,} tokens (memgym's count), "
        f"~{_duration(hours)} at {throughput:,.0f} tokens/s ({source})"
    )
    return costs, session_costs


def throughput_of(protocol: Any, args: argparse.Namespace) -> float | None:
    """The throughput the time estimate assumes: ``--throughput``, else a probe of the endpoint
    (``memgym.protocol.throughput``) when a model is given, else None (the default). Says which
    in ``args.throughput_source``; a probe that fails is a warning, never the run's end."""
    if args.throughput is not None:
        args.throughput_source = "--throughput"
        return float(args.throughput)
    args.throughput_source = "the default; --throughput sets it"
    if not args.model:
        return None
    from memgym.errors import InfraError, ModelError
    from memgym.protocol.throughput import measure

    options = {"timeout": args.timeout or 120.0, "max_retries": 1}
    if args.api_key_env:
        options["api_key_env"] = args.api_key_env
    try:
        probe = measure(
            protocol,
            args.model,
            args.base_url,
            options,
            args.context_window or 0,
            args.max_tokens or 0,
        )
    except (InfraError, ModelError, OSError, ValueError) as exc:  # the default, then
        first = (str(exc).splitlines() or [type(exc).__name__])[0][:160]
        err_console.print(
            f"[yellow]warning[/]: the throughput probe failed ({escape(first)}); the time "
            f"estimate assumes {DEFAULT_THROUGHPUT:,.0f} tokens/s"
        )
        return None
    args.throughput_source = (
        f"measured: {probe.calls} probe calls, {probe.tokens:,} tokens in {probe.seconds:.2f} s, "
        "one at a time"
    )
    return probe.throughput


def _duration(hours: float) -> str:
    if hours >= 1:
        return f"{hours:.1f} h"
    minutes = hours * 60
    return f"{minutes:.1f} min" if minutes >= 1 else f"{minutes * 60:.0f} s"
