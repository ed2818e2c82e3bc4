"""``memgym audit`` for an interactive track: every task solvable by its gold plan, not by doing
nothing, and sound by the track's own generation checks; the yield reported.

Per seed it opens the scenario's session three times, with ``full`` history: the ``gold`` agent
(must solve every task), ``noop`` (the floor) and ``context`` (with nothing compacted it should
reach the ceiling on tasks whose needs were ever shown). ``track.check(scenario)`` adds the
track's own checks (e.g. the hidden tests fail on the bugged tree). A task is **kept** when gold
solves it, noop does not, and no check names it; the yield is kept / audited. Tasks are grouped
by the part of their id before the first ``/`` (a domain, an app, a code base).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from memgym.interactive.episode import evaluate_interactive
from memgym.tracks.interactive import InteractiveTrack

AGENTS = ("gold", "noop", "context")


@dataclass
class GroupAudit:
    """One group of tasks: how many, and the share each reference agent solved."""

    group: str
    tasks: int = 0
    solved: dict[str, int] = field(default_factory=lambda: dict.fromkeys(AGENTS, 0))
    kept: int = 0


@dataclass
class InteractiveAudit:
    """Every group's figures, the problems found and the time taken."""

    track: str
    tier: str | None
    seeds: list[int]
    groups: dict[str, GroupAudit]
    problems: list[str]
    seconds: float
    generation: dict[str, int] = field(default_factory=dict)
    """The track's generation counts summed over seeds (``InteractiveTrack.generation``)."""

    @property
    def tasks(self) -> int:
        return sum(g.tasks for g in self.groups.values())

    @property
    def kept(self) -> int:
        return sum(g.kept for g in self.groups.values())

    @property
    def passed(self) -> bool:
        """Gold solves every task and nothing else is wrong."""
        gold = sum(g.solved["gold"] for g in self.groups.values())
        return not self.problems and gold == self.tasks

    def to_json(self) -> dict[str, Any]:
        return {
            "track": self.track, "tier": self.tier, "seeds": self.seeds, "tasks": self.tasks,
            "kept": self.kept, "yield": self.kept / self.tasks if self.tasks else 0.0,
            "passed": self.passed, "seconds": self.seconds, "problems": self.problems,
            "groups": {k: vars(g) for k, g in self.groups.items()},
            "generation": self.generation,
        }  # fmt: skip


def audit_interactive(
    track: InteractiveTrack,
    tier: str | None,
    seeds: Sequence[int],
    fixed: dict[str, Any] | None = None,
    on_seed: Callable[[int], None] | None = None,
) -> InteractiveAudit:
    """Audit ``track`` on ``seeds``."""
    start = time.perf_counter()
    groups: dict[str, GroupAudit] = {}
    problems: list[str] = []
    generation: dict[str, int] = {}
    for seed in seeds:
        scenario = track.generate(seed, tier, **(fixed or {}))
        for key, count in track.generation(scenario).items():
            generation[key] = generation.get(key, 0) + count
        flagged = track.check(scenario)
        problems += [f"seed {seed}: {p}" for p in flagged]
        runs = {a: evaluate_interactive(track, scenario, "full", a) for a in AGENTS}
        by_task = {a: {r.question_id: r.correct for r in runs[a].answers} for a in AGENTS}
        for task_id, gold in by_task["gold"].items():
            group = groups.setdefault(task_id.split("/", 1)[0], GroupAudit(task_id.split("/")[0]))
            group.tasks += 1
            for agent in AGENTS:
                group.solved[agent] += by_task[agent].get(task_id, False)
            named = any(task_id in p for p in flagged)
            group.kept += gold and not by_task["noop"].get(task_id, False) and not named
            if not gold:
                problems.append(f"seed {seed}: gold does not solve {task_id}")
        if on_seed is not None:
            on_seed(seed)
    return InteractiveAudit(
        track.name, tier, list(seeds), groups, problems, time.perf_counter() - start, generation
    )
