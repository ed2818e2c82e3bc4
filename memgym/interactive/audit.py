"""``memgym audit`` for an interactive track: every task solvable by its gold plan, not by doing
nothing, and sound by the track's own generation checks; the yield reported; the memory gate.

Per seed it opens the scenario's session with ``full`` history for the ``gold`` agent (must
solve every task), ``noop`` (the floor) and ``context`` (with nothing compacted it should reach
the ceiling on tasks whose needs were ever shown), then with ``none`` history for ``context``
(column ``none``) and for each no-memory cheat (``memgym.interactive.cheats``, and the track's
``cheats``). ``track.check(scenario)`` adds the track's own checks (e.g. the hidden tests fail
on the bugged tree). A task is **kept** when gold solves it, noop does not, and no check names
it; the yield is kept / audited. Tasks are grouped by the part of their id before the first
``/`` (a domain, an app, a code base). Tasks a track does not score (they need no memory) are
counted apart (``setup``). The gate (``memgym.interactive.gate``) fails the audit of a track
that declares ``gated``; on the others it is reported, as it is on the groups a gated track
leaves out (``ungated_groups``: the tau2 track's mock domain).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from memgym.interactive.cheats import GENERIC
from memgym.interactive.episode import evaluate_interactive
from memgym.interactive.gate import WHOLE_SHARE, Gate
from memgym.salt import evaluation_seed
from memgym.tracks.interactive import InteractiveTrack

AGENTS = ("gold", "noop", "context", "none")
"""The columns: ``none`` is the ``context`` probe under ``none`` history."""


@dataclass
class GroupAudit:
    """One group of tasks: how many, and the share each reference agent solved."""

    group: str
    tasks: int = 0
    solved: dict[str, int] = field(default_factory=lambda: dict.fromkeys(AGENTS, 0))
    kept: int = 0
    cheats: dict[str, int] = field(default_factory=dict)
    """Tasks each no-memory cheat solved under ``none``."""


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
    setup: dict[str, int] = field(default_factory=dict)
    """Unscored tasks (``tasks``) and those each agent and cheat solved, reported apart."""
    gated: bool = False
    ungated: tuple[str, ...] = ()
    """Groups the track leaves out of the gate (``InteractiveTrack.ungated_groups``): their
    figures are reported, never enforced."""

    def gate(self) -> Gate:
        """Shares solved over the scored tasks of every group the gate covers."""
        groups = [g for g in self.groups.values() if g.group not in self.ungated]
        total = sum(g.tasks for g in groups) or 1
        solved = {a: sum(g.solved[a] for g in groups) / total for a in AGENTS}
        cheats = sorted({c for g in self.groups.values() for c in g.cheats})
        runs = {"none": solved["none"]}
        runs |= {c: sum(g.cheats.get(c, 0) for g in groups) / total for c in cheats}
        return Gate(solved["noop"], solved["context"], runs)

    @property
    def enforced(self) -> bool:
        """Whether the gate is enforced: the track is gated and some scored task is in a group
        the gate covers."""
        return self.gated and any(
            g.tasks for g in self.groups.values() if g.group not in self.ungated
        )

    def whole_gate(self) -> Gate:
        """The gate's shares over the whole track, the scored tasks and those reported apart
        together (reported, never enforced: the tasks apart need no memory by construction)."""
        total = self.tasks + self.setup.get("tasks", 0) or 1
        scored = {a: sum(g.solved[a] for g in self.groups.values()) for a in AGENTS}
        cheats: dict[str, int] = {}
        for g in self.groups.values():
            for c, n in g.cheats.items():
                cheats[c] = cheats.get(c, 0) + n
        share = {k: (n + self.setup.get(k, 0)) / total for k, n in {**scored, **cheats}.items()}
        runs = {"none": share["none"]} | {c: share[c] for c in sorted(cheats)}
        return Gate(share["noop"], share["context"], runs, WHOLE_SHARE, 0.0, "whole-track gate")

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
        gate = self.gate().problems() if self.enforced else []
        return not self.problems and not gate and gold == self.tasks

    def to_json(self) -> dict[str, Any]:
        gate, whole = self.gate(), self.whole_gate()
        return {
            "track": self.track, "tier": self.tier, "seeds": self.seeds, "tasks": self.tasks,
            "kept": self.kept, "yield": self.kept / self.tasks if self.tasks else 0.0,
            "passed": self.passed, "seconds": self.seconds, "problems": self.problems,
            "groups": {k: vars(g) for k, g in self.groups.items()},
            "generation": self.generation, "setup": self.setup, "gated": self.gated,
            "ungated": list(self.ungated), "enforced": self.enforced,
            "gate": {"floor": gate.floor, "full": gate.full, "runs": gate.runs,
                     "gap_share": {k: gate.gap_share(k) for k in gate.runs},
                     "problems": gate.problems()},
            "whole_gate": {"floor": whole.floor, "full": whole.full, "runs": whole.runs,
                           "gap_share": {k: whole.gap_share(k) for k in whole.runs},
                           "problems": whole.problems()},
        }  # fmt: skip


def audit_interactive(
    track: InteractiveTrack,
    tier: str | None,
    seeds: Sequence[int],
    fixed: dict[str, Any] | None = None,
    on_seed: Callable[[int], None] | None = None,
) -> InteractiveAudit:
    """Audit ``track`` on ``seeds`` (each drawn under the salt, if one is set: ``memgym.salt``)."""
    start = time.perf_counter()
    groups: dict[str, GroupAudit] = {}
    problems: list[str] = []
    generation: dict[str, int] = {}
    setup: dict[str, int] = {}
    cheats = (*GENERIC, *track.cheats)
    for seed in seeds:
        scenario = track.generate(evaluation_seed(track.name, seed), tier, **(fixed or {}))
        for key, count in track.generation(scenario).items():
            generation[key] = generation.get(key, 0) + count
        flagged = track.check(scenario)
        problems += [f"seed {seed}: {p}" for p in flagged]
        runs = {a: evaluate_interactive(track, scenario, "full", a) for a in AGENTS[:3]}
        runs["none"] = evaluate_interactive(track, scenario, "none", "context")
        tried = {c: evaluate_interactive(track, scenario, "none", c) for c in cheats}
        setup["tasks"] = setup.get("tasks", 0) + int(runs["gold"].usage.get("setup_tasks", 0))
        for name, run in {**runs, **tried}.items():
            setup[name] = setup.get(name, 0) + int(run.usage.get("setup_solved", 0))
        by_task = {a: {r.question_id: r.correct for r in runs[a].answers} for a in AGENTS}
        cheat_tasks = {c: {r.question_id: r.correct for r in tried[c].answers} for c in cheats}
        for task_id, gold in by_task["gold"].items():
            group = groups.setdefault(task_id.split("/", 1)[0], GroupAudit(task_id.split("/")[0]))
            group.tasks += 1
            for agent in AGENTS:
                group.solved[agent] += by_task[agent].get(task_id, False)
            for cheat in cheats:
                group.cheats[cheat] = group.cheats.get(cheat, 0) + cheat_tasks[cheat].get(
                    task_id, False
                )
            named = any(task_id in p for p in flagged)
            group.kept += gold and not by_task["noop"].get(task_id, False) and not named
            if not gold:
                problems.append(f"seed {seed}: gold does not solve {task_id}")
        if on_seed is not None:
            on_seed(seed)
    return InteractiveAudit(
        track.name, tier, list(seeds), groups, problems, time.perf_counter() - start, generation,
        setup, track.gated, tuple(track.ungated_groups),
    )  # fmt: skip
