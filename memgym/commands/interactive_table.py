"""``memgym compare``'s table for an interactive track (swe, web, tau2): task reward, tasks
solved, the isolated score with `full` as the ceiling and its CI, and each memory's task outcomes.
No question-stream words: no oracle, no closed-book probe, no scored questions."""

from __future__ import annotations

import math

from memgym.commands.common import console, plural, tier_name
from memgym.commands.comparison import Comparison
from memgym.commands.tables import Column, fit
from memgym.interactive.episode import outcome_text
from memgym.labels import distinct, reasoner_label, short_label
from memgym.llm.usage import describe

COLUMNS = (
    Column("task reward", "task\nreward"),
    Column("solved", priority=5),
    Column("isolated"),
    Column("95% CI", priority=4),
    Column("view tokens / task", "view\ntokens\n/ task", priority=2),
    Column("compactions / episode", "compac-\ntions /\nepisode", priority=1),
    Column("task outcomes", justify="left", priority=3),
)


def print_interactive(comparison: Comparison, problem: str | None = None) -> None:
    """The per-memory table of an interactive comparison, fitted to the terminal."""
    tier = tier_name(comparison.track, comparison.tier)
    if comparison.params:
        tier += " " + ",".join(f"{k}={v}" for k, v in comparison.params.items())
    rows = comparison.rows()
    labels = distinct([row["memory"] for row in rows])
    tasks = max((sum(c.values()) for c in comparison.outcomes.values()), default=0)
    caption = (
        f"{plural(tasks, 'task')} per memory; task reward: the verifier's mean; isolated = "
        "(solved(S) - solved(none)) / (solved(full) - solved(none)): full is the ceiling"
    )
    if problem:
        caption += f"\n{problem}"
    table = [
        [
            labels[row["memory"]],
            _num(comparison.rewards.get(row["memory"], math.nan)),
            _num(row["accuracy"]),
            _num(row["isolated"]),
            f"[{_num(row['ci_low'])}, {_num(row['ci_high'])}]",
            f"{row['tokens_per_question']:,.0f}",
            f"{row['compactions_per_episode']:.1f}",
            outcome_text(comparison.outcomes.get(row["memory"], {})),
        ]
        for row in rows
    ]
    seeds = plural(len(comparison.seeds), "seed")
    agent = reasoner_label(comparison.reasoner)
    title = f"{comparison.track} / {tier} / {seeds} / agent {agent}"
    head = Column("memory", justify="left")
    console.print(fit(title, (head, *COLUMNS), table, console.width, console, caption))
    notes = comparison.notes()
    if notes:
        console.print("\n".join(short_label(n) for n in notes))
    if comparison.usage.get("calls"):
        console.print(f"usage: {describe(comparison.usage)}")


def _num(x: float) -> str:
    return "-" if math.isnan(x) else f"{x:.3f}"
