"""``memgym trajectories``: export expert episodes as chat JSONL (and a segmented form)."""

from __future__ import annotations

import argparse
import json
from contextlib import ExitStack
from typing import TextIO

from memgym.commands.common import (
    add_scenario_args,
    add_seed_args,
    check_at_least,
    check_output,
    err_console,
    overrides,
    progress,
)
from memgym.files import atomic_path


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the ``trajectories`` subcommand."""
    p = sub.add_parser(
        "trajectories", help="export expert episodes as OpenAI-format chat JSONL for training"
    )
    add_scenario_args(p)
    add_seed_args(p, 10)
    p.add_argument(
        "--policies", default="perfect,strategic", help="write policies (default perfect,strategic)"
    )
    p.add_argument("--out", required=True, help="chat JSONL file, one episode per line")
    p.add_argument("--segments", help="also write the segmented form to this JSONL file")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from memgym.envs.expert import run_expert, write_policy_names
    from memgym.envs.trajectories import chat_record, segment_records
    from memgym.tracks import get_track

    names = [p.strip() for p in args.policies.split(",") if p.strip()]
    if not names:
        raise ValueError(f"--policies names no policy: {args.policies!r}")
    known = write_policy_names()
    for name in names:
        if name not in known:
            raise ValueError(f"unknown expert policy {name!r}; known: {', '.join(known)}")
    check_at_least(args, seeds=1)
    track = get_track(args.track)
    if track.interactive:
        from memgym.tracks import track_names

        stream = [t for t in track_names() if not get_track(t).interactive]
        raise ValueError(
            f"trajectories are expert episodes of a question-stream track ({', '.join(stream)});"
            f" {args.track} is interactive: its sessions are recorded by `memgym run`"
        )
    fixed = overrides(args.param)
    # Bad input (a tier, a parameter, a folder) fails here, before any episode runs.
    first = track.generate(args.seed, args.tier, **fixed)
    check_output(args.out, "--out")
    if args.segments:
        check_output(args.segments, "--segments", (args.out, "--out"))
    episodes = segments = 0
    with ExitStack() as files:
        out = _open(files, args.out, "--out")
        seg_file = _open(files, args.segments, "--segments") if args.segments else None
        bar = files.enter_context(progress())
        job = bar.add_task("expert episodes", total=args.seeds * len(names))
        for seed in range(args.seed, args.seed + args.seeds):
            scenario = first if seed == args.seed else track.generate(seed, args.tier, **fixed)
            for name in names:
                ep = run_expert(scenario, name, tier=args.tier, overrides=fixed, track=track)
                out.write(json.dumps(chat_record(ep), ensure_ascii=False) + "\n")
                episodes += 1
                bar.advance(job)
                if seg_file is not None:
                    for record in segment_records(ep):
                        seg_file.write(json.dumps(record, ensure_ascii=False) + "\n")
                        segments += 1
    where = f"{args.out}" + (f" and {segments} segments in {args.segments}" if seg_file else "")
    err_console.print(f"{episodes} episodes in {where}")
    return 0


def _open(files: ExitStack, path: str, option: str) -> TextIO:
    """``path`` opened for writing within ``files``: written to a temporary file beside it that
    replaces it once every episode is written (a kill or an error leaves the previous file and
    no part of a new one); a ``ValueError`` naming ``option`` when it cannot be."""
    try:
        temp = files.enter_context(atomic_path(path))
        return files.enter_context(open(temp, "w", encoding="utf-8"))
    except OSError as exc:
        raise ValueError(f"cannot write {option} {path}: {exc.strerror or exc}") from None
