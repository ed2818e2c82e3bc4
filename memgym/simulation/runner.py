"""Run simulation policies over generated scenarios (serially or on a local process pool)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

from memgym.caches import next_scenario
from memgym.memory import make_memory
from memgym.pool import finished
from memgym.reasoners import make_reasoner
from memgym.run.episode import evaluate
from memgym.run.remote import evaluate_remote
from memgym.run.trust import in_process
from memgym.salt import evaluation_seed
from memgym.simulation.bounded_family import Marked, family, mark
from memgym.simulation.cheats import learn, learn_picker, run_cheats
from memgym.simulation.concentration import Concentration, concentration
from memgym.simulation.learned_selector import Selector, fitted
from memgym.simulation.option_picker import Picker
from memgym.simulation.policies import get_policy
from memgym.tracks import Track, get_track
from memgym.types import EpisodeResult


@dataclass(frozen=True)
class Unit:
    """One scenario (track, tier, seed, param overrides) and the policies to run on it."""

    track: str
    tier: str | None
    seed: int
    overrides: tuple[tuple[str, Any], ...]
    policies: tuple[str, ...]
    cheats: bool = False
    """Also run the cheat suite (``memgym.simulation.cheats``) on the scenario."""
    regenerate: bool = False
    """Generate the scenario again after every policy ran on it, to check determinism (a
    generator that reads state left by earlier calls, the clock or the OS's randomness gives
    another hash). Validate asks it for a sample of seeds per group, not every scenario."""
    bounded: str = ""
    """Also mark the bounded-memory family (``memgym.simulation.bounded_family``) on the
    scenario: ``quick`` or ``full`` (every class); empty: not."""
    isolate: bool = False
    """Run the policies behind the trust boundary (``memgym.run.remote``), as plugins would;
    the cheat suite and the ``oracle`` reference stay in this process."""


@dataclass(frozen=True)
class UnitResult:
    unit: Unit
    scenario_hash: str
    regenerated_hash: str | None
    """The hash of the scenario generated again (None when the unit did not ask for it)."""
    results: dict[str, EpisodeResult]
    bounded: Marked | None = None
    """The bounded family's verdicts, when the unit asked for them."""
    concentration: Concentration | None = None
    """How concentrated the scenario's evidence is (``memgym.simulation.concentration``), for
    the units that run the cheats (the judged seeds)."""


@cache
def _shared_track(name: str) -> Track:
    """One track instance per process, so its reader cache serves every unit."""
    return get_track(name)


def run_unit(unit: Unit) -> UnitResult:
    """Generate the unit's scenario and run every policy on it (and generate it again after,
    when the unit asks for the determinism check)."""
    track = _shared_track(unit.track)
    overrides = dict(unit.overrides)
    seed = evaluation_seed(track.name, unit.seed)  # the seed itself unless a salt is set
    scenario = track.generate(seed, unit.tier, **overrides)
    next_scenario(scenario.hash)
    results = {}
    for name in unit.policies:
        policy = get_policy(name)
        if not in_process(policy.memory, policy.reasoner, track, unit.isolate):
            results[name] = evaluate_remote(scenario, policy.memory, policy.reasoner)
            continue
        memory = make_memory(policy.memory, track)
        reasoner = make_reasoner(policy.reasoner, track)
        results[name] = evaluate(scenario, memory, reasoner)
    if unit.cheats:
        learned = learned_for(unit.track, unit.tier, unit.overrides)
        picker = picker_for(unit.track, unit.tier, unit.overrides)
        for name, result in run_cheats(track, scenario, learned, picker=picker).items():
            results.setdefault(name, result)  # a policy of the same name stays
    if scenario.fresh_hash() != scenario.hash:  # once per unit: every episode shared it
        raise ValueError(f"{unit.track} seed {unit.seed}: the scenario changed during its episodes")
    marked = None
    if unit.bounded:
        members = family(unit.bounded == "full")
        selector = selector_for(unit) if any(m.rule == "learned" for m in members) else None
        marked = mark(track, scenario, members, selector)
    again = track.generate(seed, unit.tier, **overrides).hash if unit.regenerate else None
    spread = concentration(scenario) if unit.cheats else None
    return UnitResult(unit, scenario.hash, again, results, marked, spread)


def selector_for(unit: Unit) -> Selector | None:
    """The learned selector of the unit's track, tier and overrides (fitted once per process:
    ``learned_selector.fitted``)."""
    return fitted(unit.track, unit.tier, unit.overrides)


@cache
def picker_for(
    track: str, tier: str | None, overrides: tuple[tuple[str, Any], ...]
) -> Picker | None:
    """The learned option picker of a scenario family, once per process (None where the track
    asks no selection)."""
    return learn_picker(_shared_track(track), tier, dict(overrides))


@cache
def learned_for(
    track: str, tier: str | None, overrides: tuple[tuple[str, Any], ...]
) -> dict[str, Counter[str]]:
    """Golds per question template on other seeds, once per process and scenario family."""
    return learn(_shared_track(track), tier, dict(overrides))


def run_units(
    units: Iterable[Unit],
    workers: int = 1,
    on_done: Callable[[UnitResult], None] | None = None,
) -> Iterator[UnitResult]:
    """Run units and yield each result in order of submission, on ``workers`` processes
    (1 = in this process). Streamed: at most ``2 * workers`` units are in flight and nothing
    is kept once yielded, so memory stays flat in the number of units; Ctrl-C stops at once
    (``memgym.pool.finished``)."""
    if workers <= 1:
        for unit in units:
            done = run_unit(unit)
            if on_done:
                on_done(done)
            yield done
        return
    for _, result in finished(units, run_unit, workers, processes=True, ordered=True):
        if on_done:
            on_done(result)
        yield result
