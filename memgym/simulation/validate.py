"""``memgym validate``: the invariants that prove the scoring cannot be gamed, on every track.

For every track and tier (and, for entities, every template asked for), over the given seeds:

- perfect scores 1.0 on every accuracy axis (breadth, maintenance, reasoning) on every seed;
- every cheat has a mean composite of at most ``CHEAT_CEILING``: the cheating policies
  (guesser, smart guesser, abstainer, dump-all, echo) and the whole cheat suite of
  ``memgym.simulation.cheats`` (keep-last-K, constants, priors, learned golds, ...);
- every member of the bounded-memory family small enough to be judged, and their per-template
  union bound, has a mean composite of at most ``CHEAT_CEILING`` (``memgym.simulation.bounded``;
  ``bounded="quick"`` by default, ``"full"`` for every event class, ``""`` to skip it);
- strategic beats naive by at least ``MARGIN`` mean composite;
- on entities, priority scores at least as well as random (its writer evicts for changed
  entities, which only the entities track is built around);
- generation and scoring are deterministic (same seed -> same hash, same scores): a sample of
  seeds per group (``DETERMINISM_SAMPLE``: the first and the last) is generated again in its
  worker after every policy ran on it, and the group's first seed once more in this process,
  where its strategic episode is scored again and compared byte for byte.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from statistics import mean

from memgym.memory import make_memory
from memgym.reasoners import make_reasoner
from memgym.run.episode import evaluate
from memgym.simulation.bounded import BOUNDED_SHARE, TRAIN_BASE, TRAIN_SEEDS, summarize
from memgym.simulation.bounded_family import family
from memgym.simulation.cheats import CHEAT_CEILING
from memgym.simulation.cheats import CHEATS as SUITE
from memgym.simulation.policies import CHEATS as CHEAT_POLICIES
from memgym.simulation.policies import POLICIES, get_policy
from memgym.simulation.runner import Unit, UnitResult, run_units
from memgym.tracks import get_track

ACCURACY_AXES = ("breadth", "maintenance", "reasoning")
MARGIN = 0.10
CHEATS = [*CHEAT_POLICIES, *(name for name in SUITE if name not in POLICIES)]
"""Every cheat validate runs: the cheating policies, then the suite's cheats."""

BOUNDED_MODES = ("quick", "full", "")
"""``validate``'s ``bounded`` values: the quick family, every class, or none."""

DETERMINISM_SAMPLE = 2
"""Seeds per group generated a second time (the first and the last)."""

__all__ = ["BOUNDED_MODES", "CHEATS", "CHEAT_CEILING", "GroupReport", "unit_count", "validate"]


@dataclass
class GroupReport:
    """Figures and checks for one (track, tier[, template]) over all seeds."""

    track: str
    tier: str
    template: str | None
    seeds: int
    composite: dict[str, float] = field(default_factory=dict)
    bounded: dict[str, float] = field(default_factory=dict)
    """Each bounded member's and the union bound's mean composite (empty when not run)."""
    bounded_share: dict[str, float] = field(default_factory=dict)
    """The mean share of the stream each held; above ``BOUNDED_SHARE``: reported, not judged."""
    perfect_axes_min: float = 0.0
    deterministic: bool = True
    checks: dict[str, bool] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return all(self.checks.values())

    @property
    def label(self) -> str:
        """``track/tier`` (``entities:template/tier`` for one template)."""
        track = f"{self.track}:{self.template}" if self.template else self.track
        return f"{track}/{self.tier}"

    @property
    def worst_cheat(self) -> str:
        return max(CHEATS, key=lambda n: self.composite[n])

    @property
    def worst_bounded(self) -> str | None:
        """The judged bounded member (or union) with the highest mean composite."""
        judged = [n for n in self.bounded if self.bounded_share[n] <= BOUNDED_SHARE]
        return max(judged, key=lambda n: self.bounded[n]) if judged else None


def _group(
    key: tuple[str, str, str | None],
    units: Sequence[UnitResult],
    rerun_ok: bool,
    training: Sequence[UnitResult] = (),
    bounded: str = "",
) -> GroupReport:
    report = GroupReport(*key, seeds=len(units))
    if bounded:
        rows = summarize(
            family(bounded == "full"),
            [u.bounded for u in training if u.bounded is not None],
            [u.bounded for u in units if u.bounded is not None],
        )
        report.bounded = {r.member: r.composite for r in rows}
        report.bounded_share = {r.member: r.share for r in rows}
    for name in units[0].results:
        report.composite[name] = mean(u.results[name].composite for u in units)
    report.perfect_axes_min = min(
        u.results["perfect"].axes[a]
        for u in units
        for a in ACCURACY_AXES
        if a in u.results["perfect"].axes
    )
    checked = [u for u in units if u.regenerated_hash is not None]
    report.deterministic = (
        rerun_ok and bool(checked) and all(u.scenario_hash == u.regenerated_hash for u in checked)
    )
    c = report.composite
    report.checks = {
        "perfect = 1.0": report.perfect_axes_min == 1.0,
        f"cheats ≤ {CHEAT_CEILING:.2f}": max(c[name] for name in CHEATS) <= CHEAT_CEILING,
        f"strategic > naive + {MARGIN:.2f}": c["strategic"] >= c["naive"] + MARGIN,
        "deterministic": report.deterministic,
    }
    if bounded:
        worst = report.worst_bounded
        ok = worst is None or report.bounded[worst] <= CHEAT_CEILING
        report.checks[f"bounded ≤ {CHEAT_CEILING:.2f}"] = ok
    if report.track == "entities":
        report.checks["priority ≥ random"] = c["priority"] >= c["random"]
    return report


def _rerun_matches(unit_result: UnitResult) -> bool:
    """Generate the scenario again in this process (the unit may have run in a worker) and
    score one policy again from scratch; both must match byte for byte."""
    unit = unit_result.unit
    track = get_track(unit.track)
    scenario = track.generate(unit.seed, unit.tier, **dict(unit.overrides))
    if scenario.hash != unit_result.scenario_hash:
        return False
    policy = get_policy("strategic")
    again = evaluate(
        scenario, make_memory(policy.memory, track), make_reasoner(policy.reasoner, track)
    )
    return again.model_dump_json() == unit_result.results["strategic"].model_dump_json()


def validate(
    tracks: Sequence[str],
    tiers: Sequence[str] | None,
    seeds: Sequence[int],
    workers: int = 1,
    on_done: Callable[[UnitResult], None] | None = None,
    templates: Sequence[str] | None = None,
    bounded: str = "quick",
) -> list[GroupReport]:
    """Run every policy and cheat on every (track, tier, seed) and check the invariants.

    ``tiers`` None means each track's own tiers; a tier a track lacks is skipped for it.
    ``templates`` splits entities into one group per template (None: the track's own mix).
    ``bounded`` runs the bounded-memory family (``quick``, ``full`` or ``""`` for none), with
    ``TRAIN_SEEDS`` more scenarios per group for its union bound to choose on.
    """
    if bounded not in BOUNDED_MODES:
        raise ValueError(f"bounded must be one of {BOUNDED_MODES}, got {bounded!r}")
    keys: list[tuple[str, str, str | None]] = []
    for name in tracks:
        track = get_track(name)
        for tier in tiers if tiers is not None else list(track.tiers):
            if tier not in track.tiers:
                continue
            for template in templates if name == "entities" and templates else [None]:
                keys.append((name, tier, template))
    sample = {seeds[0], seeds[-1]}
    units = [
        Unit(
            name,
            tier,
            seed,
            _overrides(template),
            tuple(POLICIES),
            cheats=True,
            regenerate=seed in sample,
            bounded=bounded,
        )
        for name, tier, template in keys
        for seed in seeds
    ]
    training = [
        Unit(name, tier, TRAIN_BASE + i, _overrides(template), (), bounded=bounded)
        for name, tier, template in keys
        for i in range(TRAIN_SEEDS if bounded else 0)
    ]
    results = run_units([*units, *training], workers=workers, on_done=on_done)
    scored, trained = results[: len(units)], results[len(units) :]
    reports = []
    for key in keys:
        group = [r for r in scored if _key(r.unit) == key]
        learned = [r for r in trained if _key(r.unit) == key]
        reports.append(_group(key, group, _rerun_matches(group[0]), learned, bounded))
    return reports


def _overrides(template: str | None) -> tuple[tuple[str, str], ...]:
    return (("template", template),) if template else ()


def unit_count(groups: int, seeds: int, bounded: str) -> int:
    """The scenarios ``validate`` runs for ``groups`` groups of ``seeds`` seeds (its progress
    total): the scored seeds, and the union bound's training seeds when ``bounded``."""
    return groups * (seeds + (TRAIN_SEEDS if bounded else 0))


def _key(unit: Unit) -> tuple[str, str, str | None]:
    template = dict(unit.overrides).get("template")
    return (unit.track, unit.tier or "", template)
