"""``memgym validate``: the invariants that prove the scoring cannot be gamed.

For every template and tier, over the given seeds:

- perfect scores 1.0 on every accuracy axis (breadth, maintenance, reasoning) on every seed;
- every cheating policy (guesser, smart guesser, abstainer, dump-all, echo) has a mean composite
  of at most ``CHEAT_CEILING``;
- strategic beats naive by at least ``MARGIN`` mean composite;
- priority scores at least as well as random;
- generation and scoring are deterministic (same seed -> same hash, same scores).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from statistics import mean

from memgym.memory import make_memory
from memgym.reasoners import make_reasoner
from memgym.run.episode import evaluate
from memgym.simulation.policies import CHEATS, POLICIES, get_policy
from memgym.simulation.runner import Unit, UnitResult, run_units
from memgym.tracks import get_track

ACCURACY_AXES = ("breadth", "maintenance", "reasoning")
CHEAT_CEILING = 0.05
MARGIN = 0.10


@dataclass
class GroupReport:
    """Figures and checks for one (template, tier) over all seeds."""

    template: str
    tier: str
    seeds: int
    composite: dict[str, float] = field(default_factory=dict)
    perfect_axes_min: float = 0.0
    deterministic: bool = True
    checks: dict[str, bool] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return all(self.checks.values())


def _group(template: str, tier: str, units: Sequence[UnitResult], rerun_ok: bool) -> GroupReport:
    report = GroupReport(template, tier, len(units))
    for name in POLICIES:
        report.composite[name] = mean(u.results[name].composite for u in units)
    report.perfect_axes_min = min(
        u.results["perfect"].axes[a]
        for u in units
        for a in ACCURACY_AXES
        if a in u.results["perfect"].axes
    )
    report.deterministic = rerun_ok and all(u.scenario_hash == u.regenerated_hash for u in units)
    c = report.composite
    report.checks = {
        "perfect = 1.0": report.perfect_axes_min == 1.0,
        f"cheats ≤ {CHEAT_CEILING:.2f}": max(c[name] for name in CHEATS) <= CHEAT_CEILING,
        f"strategic > naive + {MARGIN:.2f}": c["strategic"] >= c["naive"] + MARGIN,
        "priority ≥ random": c["priority"] >= c["random"],
        "deterministic": report.deterministic,
    }
    return report


def _rerun_matches(unit_result: UnitResult) -> bool:
    """Score one policy again from scratch and compare byte for byte."""
    unit = unit_result.unit
    track = get_track(unit.track)
    scenario = track.generate(unit.seed, unit.tier, **dict(unit.overrides))
    policy = get_policy("strategic")
    again = evaluate(
        scenario, make_memory(policy.memory, track), make_reasoner(policy.reasoner, track)
    )
    return again.model_dump_json() == unit_result.results["strategic"].model_dump_json()


def validate(
    templates: Sequence[str],
    tiers: Sequence[str],
    seeds: Sequence[int],
    workers: int = 1,
    on_done: Callable[[UnitResult], None] | None = None,
) -> list[GroupReport]:
    """Run every policy on every (template, tier, seed) and check the invariants."""
    units = [
        Unit("entities", tier, seed, (("template", template),), tuple(POLICIES))
        for template in templates
        for tier in tiers
        for seed in seeds
    ]
    results = run_units(units, workers=workers, on_done=on_done)
    reports = []
    for template in templates:
        for tier in tiers:
            group = [
                r
                for r in results
                if r.unit.tier == tier and dict(r.unit.overrides)["template"] == template
            ]
            reports.append(_group(template, tier, group, _rerun_matches(group[0])))
    return reports
