"""``memgym audit``: the ablation gates of a track, per stream length, with regeneration.

For each length and seed it generates a gated scenario (``memgym.simulation.gates.generate_gated``:
rejected scenarios are regenerated from the seed's next sub-seed), then runs the scripted
reasoner with ``full:max_tokens=<context>`` on it. It prints, per length, the mean accuracy of
the ``oracle``, ``none`` and ``distractors`` ablations and of the cut ``full`` memory, each row's
gate verdict, the yield (accepted / generated scenarios), the worst of the cheat suite and of
the bounded family's learned members (``learned{N}``, trained on seeds of their own at that
length: ``memgym.simulation.learned_tally``; judged where they hold at most 2.5 % of the
stream), and checks that the cut ``full``
memory falls as the stream grows and that every kept stream lands within 5 % of
``target_tokens``. Exit status 1 when a gate still fails after regeneration, a stream misses its
length or the trend does not fall.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from rich.markup import escape

from memgym.commands.common import (
    add_scenario_args,
    add_seed_args,
    check_at_least,
    console,
    err_console,
    overrides,
    progress,
)
from memgym.simulation.gates import ABLATIONS, MAX_TRIES, Gated, Gates

TREND_SLACK = 0.05
"""How much the cut ``full`` accuracy may rise from one length to the next (seed noise) while
still counting as falling; the longest length must be strictly below the shortest."""
LENGTH_TOLERANCE = 0.05
"""How far a kept scenario's whole stream may land from ``target_tokens`` (a row failure)."""
_LENGTH = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([km]?)\s*$", re.IGNORECASE)
_UNITS = {"": 1, "k": 1_000, "m": 1_000_000}


def parse_lengths(text: str) -> list[int]:
    """``"10k,100k,1m"`` -> ``[10000, 100000, 1000000]`` (sorted, unique)."""
    lengths = []
    for part in text.split(","):
        m = _LENGTH.match(part)
        if m is None or float(m.group(1)) <= 0:
            raise ValueError(
                f"bad length {part.strip()!r} in --lengths: expected a positive number of "
                "tokens such as 10000, 10k or 1m"
            )
        lengths.append(round(float(m.group(1)) * _UNITS[m.group(2).lower()]))
    return sorted(set(lengths))


def format_length(tokens: int | None) -> str:
    """10000 -> ``10k``, 1000000 -> ``1m``, None -> ``n/a``."""
    if tokens is None:
        return "n/a"
    for unit, size in (("m", 1_000_000), ("k", 1_000)):
        if tokens >= size and tokens % size == 0:
            return f"{tokens // size}{unit}"
    return str(tokens)


@dataclass
class AuditRow:
    """One stream length: mean accuracies over seeds, the yield and the seeds still failing."""

    length: int | None
    accuracy: dict[str, float]
    accepted: int
    generated: int
    streamed: float
    """Mean tokens streamed per kept scenario (filler included)."""
    failures: list[str] = field(default_factory=list)
    seconds: float = 0.0
    cheats: dict[str, float] = field(default_factory=dict)
    """Mean composite of each cheat of the suite (``memgym.simulation.cheats``) on the kept
    scenarios; one above ``CHEAT_CEILING`` is a row failure."""
    learned: dict[str, dict[str, Any]] = field(default_factory=dict)
    """The learned members of the bounded family (``learned{N}``, with scikit-learn): each one's
    mean ``composite``, mean ``held`` share of the stream and whether it is ``judged`` (held at
    most ``BOUNDED_SHARE``); a judged one is also among ``cheats``."""
    auroc: float | None = None
    """The learned selector's mean evidence-vs-rest AUROC over the kept scenarios."""
    kept: list[dict[str, Any]] = field(default_factory=list)
    """Per seed, the scenario kept: its seed, sub-seed (if the track has one), hash, how many
    scenarios were rejected before it (so each can be regenerated alone) and the tokens its
    whole stream took (filler included)."""

    @property
    def passed(self) -> bool:
        return not self.failures


@dataclass
class Audit:
    """Every row of one ``memgym audit`` run and the trend of the cut ``full`` memory."""

    track: str
    tier: str | None
    seeds: list[int]
    full: str
    gates: Gates
    rows: list[AuditRow]

    def trend(self) -> bool | None:
        """Whether the cut ``full`` accuracy falls as length grows (None: fewer than two
        lengths to compare)."""
        values = [r.accuracy[self.full] for r in self.rows if r.length is not None]
        if len(values) < 2:
            return None
        steps_ok = all(b <= a + TREND_SLACK for a, b in itertools.pairwise(values))
        return steps_ok and values[-1] < values[0]

    @property
    def passed(self) -> bool:
        return all(r.passed for r in self.rows) and self.trend() is not False

    def to_json(self) -> dict[str, Any]:
        """Plain data for ``--json``."""
        rows = [{**asdict(r), "passed": r.passed} for r in self.rows]
        return {
            "track": self.track,
            "tier": self.tier,
            "seeds": self.seeds,
            "full": self.full,
            "gates": asdict(self.gates),
            "rows": rows,
            "full_falls": self.trend(),
            "passed": self.passed,
        }


def audit_length(
    track_name: str,
    tier: str | None,
    seeds: Sequence[int],
    length: int | None,
    full: str,
    fixed: dict[str, Any],
    max_tries: int = MAX_TRIES,
    gates: Gates | None = None,
    stream_filler: bool = True,
    on_seed: Callable[[Gated], None] | None = None,
    cheats_too: bool = True,
) -> AuditRow:
    """Gate-generate one scenario per seed at ``length`` tokens (None: the tier's own length)
    and average the ablations, the cut ``full`` memory and (``cheats_too``) every cheat of the
    suite and the learned members of the bounded family over the kept scenarios."""
    from memgym.caches import next_scenario
    from memgym.simulation.cheats import CHEAT_CEILING, learn, learn_picker, run_cheats
    from memgym.simulation.gates import ablation_result, generate_gated
    from memgym.simulation.learned_tally import learned_tally
    from memgym.tracks import get_track

    track = get_track(track_name)
    params = dict(fixed) if length is None else {**fixed, "target_tokens": length}
    target = track.params(tier, **params).get("target_tokens")
    start = time.perf_counter()
    sums = dict.fromkeys((*ABLATIONS, full), 0.0)
    accepted = generated = streamed = 0
    failures = []
    kept = []
    learned = learn(track, tier, params) if cheats_too else {}
    picker = learn_picker(track, tier, params) if cheats_too else None
    tally = learned_tally(track_name, tier, params) if cheats_too else None
    cheats: dict[str, float] = {}
    for seed in seeds:
        gated = generate_gated(track, seed, tier, max_tries, gates, stream_filler, **params)
        next_scenario(gated.scenario.hash)
        for name in ABLATIONS:
            sums[name] += gated.report.accuracy[name]
        result = ablation_result(track, gated.scenario, full)
        sums[full] += result.accuracy
        streamed += result.tokens_observed
        ran = run_cheats(track, gated.scenario, learned, picker=picker) if cheats_too else {}
        for name, cheat in ran.items():
            cheats[name] = cheats.get(name, 0.0) + cheat.composite
        if tally is not None:
            tally.add(gated.scenario)
        accepted += gated.accepted
        generated += gated.generated
        kept.append(
            {
                "seed": seed,
                "scenario_seed": gated.scenario.seed,
                "subseed": gated.scenario.params.get("subseed"),
                "hash": gated.scenario.hash,
                "rejected": len(gated.rejected),
                "tokens": result.tokens_observed,
            }
        )
        if not gated.accepted:
            failures.append(f"seed {seed}: " + "; ".join(gated.report.failures))
        if target and abs(result.tokens_observed - target) > LENGTH_TOLERANCE * target:
            failures.append(
                f"seed {seed}: the stream took {result.tokens_observed:,} tokens, more than "
                f"{LENGTH_TOLERANCE:.0%} off target_tokens {target:,}"
            )
        if on_seed is not None:
            on_seed(gated)
    n = max(1, len(seeds))
    cheats = {name: total / n for name, total in cheats.items()}
    by_member: dict[str, dict[str, Any]] = {}
    for r in tally.rows() if tally is not None else []:
        by_member[r.member] = {"composite": r.composite, "held": r.share, "judged": r.judged}
        if r.judged:  # judged like every cheat
            cheats[r.member] = r.composite
    failures += [
        f"cheat {name} scores {value:.3f} > {CHEAT_CEILING}"
        for name, value in cheats.items()
        if value > CHEAT_CEILING
    ]
    return AuditRow(
        length=length,
        accuracy={k: v / n for k, v in sums.items()},
        accepted=accepted,
        generated=generated,
        streamed=streamed / n,
        failures=failures,
        seconds=time.perf_counter() - start,
        cheats=cheats,
        learned=by_member,
        auroc=tally.auroc() if tally is not None else None,
        kept=kept,
    )


CONTEXT = 8000
"""``--context``'s default: the cut full memory's context, in tokens."""


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the ``audit`` subcommand."""
    p = sub.add_parser(
        "audit",
        help="ablation gates of a track per stream length, with regeneration",
        description="The gates and the cheat bound (<= 0.05) hold on means over 10 or more "
        "seeds: over fewer, one seed's luck can fail a gate (codeqa's const_1 cheat scores "
        "0.056 over seeds 0-2).",
    )
    add_scenario_args(p)
    add_seed_args(p, 5, "number of seeds (the gates need 10 or more to be trusted)")
    p.add_argument(
        "--lengths",
        help="comma-separated stream lengths in tokens, e.g. 10k,100k,1m (default: the tier's "
        "own length; only for tracks with a target_tokens parameter)",
    )
    p.add_argument(
        "--context",
        type=int,
        default=CONTEXT,
        help=f"context limit of the cut full memory, in tokens (default {CONTEXT})",
    )
    p.add_argument(
        "--max-tries",
        type=int,
        default=MAX_TRIES,
        help=f"scenarios tried per seed before a gate failure stands (default {MAX_TRIES})",
    )
    p.add_argument(
        "--skip-filler",
        action="store_true",
        help="do not stream filler through the distractors ablation (saves one pass over each "
        "scenario; filler states nothing by each track's contract)",
    )
    p.add_argument(
        "--no-cheats",
        action="store_true",
        help="skip the cheat suite and the learned members (each one's mean composite must be "
        "<= 0.05 otherwise)",
    )
    p.add_argument(
        "--endpoint",
        metavar="SPEC",
        help="probe the model endpoint of an llm agent spec (llm:model=M,base_url=URL) for state "
        "kept between requests first: the same request, asked again after another, must get an "
        "equivalent answer at temperature 0 (none means no memory only then); exit 1 if not",
    )
    p.add_argument(
        "--probe-only",
        action="store_true",
        help="with --endpoint: run the endpoint probe alone, not the audit",
    )
    p.add_argument("--json", action="store_true", help="print the audit as JSON")
    p.add_argument(
        "--no-cache",
        action="store_true",
        help="generate every swe scenario afresh, not from the task cache (the same as "
        "MEMGYM_SWE_CACHE=off)",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from memgym.memory import make_memory
    from memgym.tracks import get_track

    if args.no_cache:
        from memgym.tracks.swe.task_cache import CACHE_ENV

        os.environ[CACHE_ENV] = "off"
    track = get_track(args.track)
    fixed = overrides(args.param)
    params = track.params(args.tier, **fixed)  # validates tier and overrides up front
    probed = 0
    if args.endpoint is not None:
        probed = probe(args.endpoint, track)
    elif args.probe_only:
        raise ValueError("--probe-only needs --endpoint SPEC")
    if args.probe_only:
        return probed
    track.require()
    if track.interactive:
        return run_interactive(track, args, fixed) or probed
    if args.context < 1:
        raise ValueError(f"--context must be a positive number of tokens, got {args.context}")
    check_at_least(args, seeds=1)
    lengths: list[int | None] = [None]
    if args.lengths is not None:
        asked = parse_lengths(args.lengths)
        if "target_tokens" in params:
            lengths = list(asked)
        else:
            err_console.print(
                f"[yellow]note:[/] track {args.track!r} has no target_tokens parameter, so "
                f"--lengths does not apply; auditing at its natural length"
            )
    full = make_memory(f"full:max_tokens={args.context}", track).config()
    seeds = list(range(args.seed, args.seed + args.seeds))
    rows = []
    with progress() as bar:
        task = bar.add_task("audit", total=len(lengths) * len(seeds))
        for length in lengths:
            bar.update(task, description=f"audit {format_length(length)}")
            rows.append(
                audit_length(
                    args.track,
                    args.tier,
                    seeds,
                    length,
                    full,
                    fixed,
                    args.max_tries,
                    None,
                    not args.skip_filler,
                    lambda _: bar.advance(task),
                    not args.no_cheats,
                )
            )
    if None in lengths and "target_tokens" in params:
        rows[0].length = params["target_tokens"]
    audit = Audit(args.track, args.tier, seeds, full, Gates(), rows)
    if args.json:
        print(json.dumps(audit.to_json(), indent=2))
    else:
        print_audit(audit)
    return 0 if audit.passed and not probed else 1


def probe(spec: str, track: Any) -> int:
    """Run the endpoint probe (``memgym.interactive.probe``) and print its verdict on stderr;
    1 when the endpoint keeps state (or is not deterministic), else 0."""
    from memgym.interactive.probe import probe_agent, probe_endpoint

    result = probe_endpoint(probe_agent(spec, track))
    if result.stateless:
        err_console.print(
            "endpoint probe: [green]pass[/]: the same request got the same answer three times, "
            "the last after another request (no state kept between requests)"
        )
        return 0
    for problem in result.problems:
        err_console.print(f"[red]endpoint probe failed:[/] {escape(problem)}")
    err_console.print("`none` does not mean no memory on this endpoint")
    return 1


def print_audit(audit: Audit) -> None:
    """The per-length table (fitted to the terminal: labels are never cut, the least needed
    columns give way first), the trend line and any gate failures."""
    from memgym.commands.tables import Column, build, fit, width_of
    from memgym.salt import seeds_note

    g = audit.gates
    tier = audit.tier or "default tier"
    title = (
        f"memgym audit: {audit.track} / {tier} / {len(audit.seeds)} seeds / scripted" + seeds_note()
    )
    caption = (
        f"mean accuracy; gates: oracle >= {g.oracle_min}, none <= {g.none_max}, "
        f"distractors <= {g.distractors_max}; every cheat's mean composite <= 0.05"
    )
    columns = (
        Column("length", justify="left"),
        Column("streamed", priority=3),
        *(Column(name, _stacked(name)) for name in (*ABLATIONS, audit.full)),
        Column("worst cheat", "worst\ncheat", priority=4),
        Column("yield", priority=2),
        Column("gates"),
        Column("seconds", "sec-\nonds", priority=1),
    )
    table = [
        [
            format_length(row.length),
            f"{row.streamed:,.0f}",
            *(f"{row.accuracy[name]:.3f}" for name in (*ABLATIONS, audit.full)),
            _worst(row.cheats),
            f"{row.accepted}/{row.generated}",
            "[green]pass[/]" if row.passed else f"[red]fail ({len(row.failures)})[/]",
            f"{row.seconds:.1f}",
        ]
        for row in audit.rows
    ]
    console.print(fit(title, columns, table, console.width, console, caption))
    if width_of(build(title, columns, table, stacked=True), console) > console.width:
        for row in audit.rows:  # the column may have given way: the names, whole
            console.print(f"worst cheat at {format_length(row.length)}: {_worst(row.cheats)}")
    values = " -> ".join(
        f"{format_length(r.length)} {r.accuracy[audit.full]:.3f}"
        for r in audit.rows
        if r.length is not None
    )
    trend = audit.trend()
    if trend is None:
        console.print(f"{audit.full} trend: n/a (needs two or more lengths)")
    else:
        mark = "[green]falls[/]" if trend else "[red]does not fall[/]"
        console.print(f"{audit.full} trend: {values}: {mark}")
    for row in audit.rows:
        if row.learned:  # a line a member, so each reads whole at any width
            console.print(f"learned selector at {format_length(row.length)}: {_learned(row)}")
    for row in audit.rows:
        for failure in row.failures:
            console.print(f"[red]gate failed[/] at {format_length(row.length)}, {failure}")


def _stacked(name: str) -> str:
    """A column header on two lines at its word boundary or its ``:`` (``full`` ablations)."""
    for mark in (" ", ":", "_"):
        if mark in name:
            head, _, tail = name.partition(mark)
            return f"{head}{mark if mark != ' ' else ''}\n{tail}"
    return name


def _learned(row: AuditRow) -> str:
    """The selector's AUROC, then each learned member's mean composite and held share (in
    parentheses: not judged), one member a line."""
    auroc = "n/a" if row.auroc is None else f"{row.auroc:.3f}"
    lines = [f"evidence AUROC {auroc}"]
    for name, m in row.learned.items():
        text = f"{m['composite']:.3f} holding {m['held']:.1%}"
        lines.append(f"  {name} {text}" if m["judged"] else f"  {name} ({text}, not judged)")
    return "\n".join(lines)


def _worst(cheats: dict[str, float]) -> str:
    if not cheats:
        return "-"
    name = max(cheats, key=lambda n: cheats[n])
    return f"{cheats[name]:.3f} {name}"


def run_interactive(track: Any, args: argparse.Namespace, fixed: dict[str, Any]) -> int:
    """The audit of an interactive track (``memgym.interactive.audit``): exit 1 unless every
    task is solved by its gold plan and the track's own checks find nothing."""
    from rich.table import Table

    from memgym.interactive.audit import AGENTS, audit_interactive

    check_at_least(args, seeds=1)
    unused = [
        name
        for name, given in (
            ("--lengths", args.lengths is not None),
            ("--context", args.context != CONTEXT),
            ("--max-tries", args.max_tries != MAX_TRIES),
            ("--skip-filler", args.skip_filler),
            ("--no-cheats", args.no_cheats),
        )
        if given
    ]
    if unused:
        err_console.print(
            f"[yellow]note:[/] {', '.join(unused)} only apply to question-stream tracks; an "
            f"interactive track's audit always runs its gold plans, checks and cheats"
        )
    seeds = list(range(args.seed, args.seed + args.seeds))
    with progress() as bar:
        task = bar.add_task("audit", total=len(seeds))
        audit = audit_interactive(track, args.tier, seeds, fixed, lambda _: bar.advance(task))
    if args.json:
        print(json.dumps(audit.to_json(), indent=2))
        return 0 if audit.passed else 1
    from memgym.salt import seeds_note

    title = f"{track.name} / {args.tier or track.default_tier} / {len(seeds)} seeds"
    table = Table(title=title + seeds_note())
    cheats = sorted({c for g in audit.groups.values() for c in g.cheats})
    for column in ("group", "tasks", *AGENTS, *cheats, "kept"):
        table.add_column(column, justify="left" if column == "group" else "right")
    for g in audit.groups.values():
        solved = [g.solved[a] for a in AGENTS] + [g.cheats.get(c, 0) for c in cheats]
        shares = [f"{n / g.tasks:.2f}" if g.tasks else "-" for n in solved]
        table.add_row(g.group, str(g.tasks), *shares, str(g.kept))
    console.print(table)
    if audit.setup.get("tasks"):
        apart = ", ".join(f"{a} {audit.setup.get(a, 0)}" for a in (*AGENTS, *cheats))
        console.print(f"unscored (need no memory), solved: {apart} of {audit.setup['tasks']}")
        every = audit.tasks + audit.setup["tasks"]
        console.print(
            f"memory-sensitive (scored): {audit.tasks} of {every} tasks ({audit.tasks / every:.1%})"
        )
    gate = audit.gate()
    runs = ", ".join(f"{k} {gate.runs[k]:.3f} ({gate.gap_share(k):.1%})" for k in gate.runs)
    present = [g for g in audit.ungated if g in audit.groups]
    left_out = f" (left out of the gate, reported only: {', '.join(present)})" if present else ""
    if audit.gated and not audit.enforced:
        console.print(f"gate: no scored task in a gated group{left_out}")
    else:
        console.print(
            f"gate{'' if audit.enforced else ' (reported, not enforced)'}: floor "
            f"{gate.floor:.3f}, full {gate.full:.3f}; no-memory runs (share of full's gap): "
            f"{runs}{left_out}"
        )
    if audit.setup.get("tasks"):
        whole = audit.whole_gate()
        runs = ", ".join(f"{k} {whole.runs[k]:.3f} ({whole.gap_share(k):.1%})" for k in whole.runs)
        console.print(
            f"whole track (scored and apart): floor {whole.floor:.3f}, full {whole.full:.3f}; "
            f"no-memory runs (share of full's gap; reported): {runs}"
        )
    rate = audit.kept / audit.tasks if audit.tasks else 0.0
    console.print(
        f"yield: {audit.kept}/{audit.tasks} tasks kept ({rate:.1%}) in {audit.seconds:.1f} s"
    )
    gen = audit.generation
    if gen.get("tried"):
        rejected = ", ".join(
            f"{k.split(':', 1)[1]} {v}" for k, v in sorted(gen.items()) if k.startswith("rejected:")
        )
        console.print(
            f"generation: {gen.get('kept', 0)}/{gen['tried']} candidates kept "
            f"({gen.get('kept', 0) / gen['tried']:.1%}); rejected: {rejected or 'none'}"
        )
    for problem in [*audit.problems, *(gate.problems() if audit.enforced else [])]:
        err_console.print(f"[red]problem:[/] {problem}")
    return 0 if audit.passed else 1
