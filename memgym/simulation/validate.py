"""``memgym validate``: the invariants that prove the scoring cannot be gamed, on every track.

For every track and tier (and, for entities, every template asked for), over the given seeds:

- perfect scores 1.0 on every accuracy axis (breadth, maintenance, reasoning) on every seed;
- every cheat has a mean composite of at most ``CHEAT_CEILING``: the cheating policies
  (guesser, smart guesser, abstainer, dump-all, echo) and the whole cheat suite of
  ``memgym.simulation.cheats`` (keep-last-K, constants, priors, learned golds, ...);
- every member of the bounded-memory family small enough to be judged, and their per-template
  union bound, has a mean composite of at most ``CHEAT_CEILING`` (``memgym.simulation.bounded``;
  ``bounded="quick"`` by default, ``"full"`` for every event class, ``""`` to skip it);
- the bounded family includes learned members (``memgym.simulation.learned_selector``) trained
  on other seeds, and their evidence AUROC is reported per group (``GroupReport.auroc``);
- at the tiers of ``CONCENTRATION_TIERS``, the mean share of scored questions whose evidence
  lies in one event is at most ``CONCENTRATION_MAX`` (``memgym.simulation.concentration``; the
  best three events' share is reported);
- strategic beats naive by at least ``MARGIN`` mean composite;
- (priority against random is reported, not checked: the priority writer keeps the entities
  that changed, and a sound generator makes changes a poor signal of what is asked, most of them
  decoys, or a memory of the last few changes would answer; that updating on changes pays is
  checked by strategic against naive, which never updates);
- generation and scoring are deterministic (same seed -> same hash, same scores): a sample of
  seeds per group (``DETERMINISM_SAMPLE``: the first and the last) is generated again in its
  worker after every policy ran on it, and the group's first seed once more in this process,
  where its strategic episode is scored again and compared byte for byte.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from itertools import chain

from memgym.memory import make_memory
from memgym.reasoners import make_reasoner
from memgym.run.episode import evaluate
from memgym.salt import evaluation_seed
from memgym.simulation.bounded import BOUNDED_SHARE, TRAIN_BASE, TRAIN_SEEDS, summarize
from memgym.simulation.bounded_family import Marked, family
from memgym.simulation.cheats import CHEAT_CEILING
from memgym.simulation.cheats import CHEATS as SUITE
from memgym.simulation.concentration import CONCENTRATION_MAX, CONCENTRATION_TIERS, Concentration
from memgym.simulation.learned_selector import fitted
from memgym.simulation.policies import CHEATS as CHEAT_POLICIES
from memgym.simulation.policies import POLICIES, get_policy
from memgym.simulation.runner import Unit, UnitResult, learned_for, picker_for, run_units
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
    auroc: float | None = None
    """The learned selector's mean evidence-vs-rest AUROC over the scored seeds (None: not
    run)."""
    concentration: dict[str, float] = field(default_factory=dict)
    """The evidence concentration: ``best`` (mean share of scored questions whose evidence lies
    in one event), ``best_max`` (its largest over the seeds), ``best3`` and ``best3_max`` (the
    same for the best three events)."""
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


class _Tally:
    """One group's running figures, fed unit by unit: exact sums of each policy's composite
    (a mean of them equals ``statistics.mean`` over every value, bit for bit), the perfect
    policy's lowest accuracy axis, the determinism checks, and the first seed's strategic
    result for the re-run check. Nothing grows with the number of seeds but the bounded
    family's marked rows, which its union bound needs whole (small: one verdict per question
    and member)."""

    def __init__(self, key: tuple[str, str, str | None], first_seed: int) -> None:
        self.key = key
        self.first_seed = first_seed
        self.seeds = 0
        self.sums: dict[str, Fraction] = {}
        self.perfect_min = math.inf
        self.checked = 0
        self.same_hash = True
        self.first: UnitResult | None = None
        self.bounded: list[Marked] = []
        self.trained: list[Marked] = []
        self.spread: list[Concentration] = []

    def add(self, done: UnitResult) -> None:
        if not done.unit.cheats:  # a training seed of the bounded family's union bound
            if done.bounded is not None:
                self.trained.append(done.bounded)
            return
        if done.bounded is not None:
            self.bounded.append(done.bounded)
        if done.concentration is not None:
            self.spread.append(done.concentration)
        self.seeds += 1
        for name, result in done.results.items():
            self.sums[name] = self.sums.get(name, Fraction(0)) + Fraction(result.composite)
        axes = done.results["perfect"].axes
        for axis in ACCURACY_AXES:
            if axis in axes:
                self.perfect_min = min(self.perfect_min, axes[axis])
        if done.regenerated_hash is not None:
            self.checked += 1
            self.same_hash &= done.scenario_hash == done.regenerated_hash
        if done.unit.seed == self.first_seed and self.first is None:
            strategic = {"strategic": done.results["strategic"]}
            self.first = UnitResult(done.unit, done.scenario_hash, done.regenerated_hash, strategic)

    def report(self, bounded: str) -> GroupReport:
        """The group's report, its checks and the re-run check included."""
        assert self.first is not None, f"no result for the first seed of {self.key}"
        return _group(self, _rerun_matches(self.first), bounded)


def _group(tally: _Tally, rerun_ok: bool, bounded: str = "") -> GroupReport:
    report = GroupReport(*tally.key, seeds=tally.seeds)
    if bounded:
        rows = summarize(family(bounded == "full"), tally.trained, tally.bounded)
        report.bounded = {r.member: r.composite for r in rows}
        report.bounded_share = {r.member: r.share for r in rows}
        aurocs = [m.auroc for m in tally.bounded if m.auroc is not None]
        report.auroc = sum(aurocs) / len(aurocs) if aurocs else None
    if tally.spread:
        best = [c.best for c in tally.spread]
        few = [c.best_few for c in tally.spread]
        report.concentration = {
            "best": sum(best) / len(best),
            "best_max": max(best),
            "best3": sum(few) / len(few),
            "best3_max": max(few),
        }
    for name, total in tally.sums.items():
        report.composite[name] = float(total / tally.seeds)
    report.perfect_axes_min = tally.perfect_min
    report.deterministic = rerun_ok and tally.checked > 0 and tally.same_hash
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
    if report.tier in CONCENTRATION_TIERS and report.concentration:
        ok = report.concentration["best"] <= CONCENTRATION_MAX
        report.checks[f"one event ≤ {CONCENTRATION_MAX:.2f}"] = ok
    return report


def _rerun_matches(unit_result: UnitResult) -> bool:
    """Generate the scenario again in this process (the unit may have run in a worker) and
    score one policy again from scratch; both must match byte for byte."""
    unit = unit_result.unit
    track = get_track(unit.track)
    seed = evaluation_seed(track.name, unit.seed)
    scenario = track.generate(seed, unit.tier, **dict(unit.overrides))
    if scenario.hash != unit_result.scenario_hash:
        return False
    policy = get_policy("strategic")
    again = evaluate(
        scenario, make_memory(policy.memory, track), make_reasoner(policy.reasoner, track)
    )
    first = unit_result.results["strategic"]  # it may have run behind the boundary
    return again.model_dump_json(exclude={"boundary"}) == first.model_dump_json(
        exclude={"boundary"}
    )


def validate(
    tracks: Sequence[str],
    tiers: Sequence[str] | None,
    seeds: Sequence[int],
    workers: int = 1,
    on_done: Callable[[UnitResult], None] | None = None,
    templates: Sequence[str] | None = None,
    bounded: str = "quick",
    isolate: bool = False,
    on_learned: Callable[[int, int], None] | None = None,
) -> list[GroupReport]:
    """Run every policy and cheat on every (track, tier, seed) and check the invariants.

    ``tiers`` None means each track's own tiers; a tier a track lacks is skipped for it.
    ``templates`` splits entities into one group per template (None: the track's own mix).
    ``bounded`` runs the bounded-memory family (``quick``, ``full`` or ``""`` for none), with
    ``TRAIN_SEEDS`` more scenarios per group for its union bound to choose on.
    ``isolate`` runs the policies behind the trust boundary (``Unit.isolate``).
    ``on_learned(k, groups)`` is called as each group's learning adversaries are fitted, all of
    them before the first scenario runs (so a pace measured from then on is the scenarios').
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
    units = (  # a generator: the work list is streamed, never listed
        Unit(
            name,
            tier,
            seed,
            _overrides(template),
            tuple(POLICIES),
            cheats=True,
            regenerate=seed in sample,
            bounded=bounded,
            isolate=isolate,
        )
        for name, tier, template in keys
        for seed in seeds
    )
    training = (
        Unit(name, tier, TRAIN_BASE + i, _overrides(template), (), bounded=bounded)
        for name, tier, template in keys
        for i in range(TRAIN_SEEDS if bounded else 0)
    )
    learning = bool(bounded) and any(m.rule == "learned" for m in family(bounded == "full"))
    for k, (name, tier, template) in enumerate(keys, 1):  # once here: forked workers inherit them
        learned_for(name, tier, _overrides(template))
        picker_for(name, tier, _overrides(template))
        if learning:
            fitted(name, tier, _overrides(template))
        if on_learned is not None:
            on_learned(k, len(keys))
    tallies = {key: _Tally(key, seeds[0]) for key in keys}
    for done in run_units(chain(units, training), workers=workers, on_done=on_done):
        tallies[_key(done.unit)].add(done)
    return [tallies[key].report(bounded) for key in keys]


def _overrides(template: str | None) -> tuple[tuple[str, str], ...]:
    return (("template", template),) if template else ()


def unit_count(groups: int, seeds: int, bounded: str) -> int:
    """The scenarios ``validate`` runs for ``groups`` groups of ``seeds`` seeds (its progress
    total): the scored seeds, and the union bound's training seeds when ``bounded``."""
    return groups * (seeds + (TRAIN_SEEDS if bounded else 0))


def _key(unit: Unit) -> tuple[str, str, str | None]:
    template = dict(unit.overrides).get("template")
    return (unit.track, unit.tier or "", template)
