"""Memory flat in the number of episodes: validate, compare and run keep no ``EpisodeResult``
once it is counted (running sums instead), the store streams its episodes a page at a time, and
the running summary equals the one over the whole list bit for bit."""

from __future__ import annotations

import gc
import math
import random
from statistics import mean

import pytest

from memgym.commands.compare import run_comparison
from memgym.run import results as results_module
from memgym.run.results import ResultsStore
from memgym.run.summary import Running, mean_se, sqrt_rounded, summarize
from memgym.simulation.validate import validate
from memgym.types import EpisodeResult


def live_results() -> int:
    """``EpisodeResult`` objects alive now (after a full collection)."""
    gc.collect()
    return sum(isinstance(o, EpisodeResult) for o in gc.get_objects())


def test_validate_keeps_no_episode_of_finished_seeds() -> None:
    alive: list[int] = []
    seeds = list(range(5))
    reports = validate(
        ["entities"], ["lite"], seeds, on_done=lambda _: alive.append(live_results())
    )
    assert reports[0].seeds == len(seeds)
    per_seed = len(reports[0].composite)  # every policy and cheat: one episode each per seed
    assert per_seed > 20
    # two seeds' results are alive at a time (the one counted, the one before it still named by
    # the loop) and the first seed's strategic one, for the re-run check; keeping them all
    # would add ``per_seed`` with every seed
    assert max(alive[1:]) - alive[1] < per_seed / 2, alive


def test_validate_means_equal_the_mean_over_every_seed() -> None:
    from memgym.simulation.runner import Unit, run_units
    from memgym.simulation.validate import CHEATS, POLICIES

    seeds = [3, 4, 5]
    (report,) = validate(["codeqa"], ["lite"], seeds)
    units = [Unit("codeqa", "lite", s, (), tuple(POLICIES), cheats=True) for s in seeds]
    done = list(run_units(units))
    for name in [*POLICIES, *CHEATS]:
        assert report.composite[name] == mean(d.results[name].composite for d in done), name


def test_compare_keeps_no_episode_of_finished_seeds(tmp_path) -> None:
    alive: list[int] = []
    seeds = list(range(6))
    before = live_results()  # what earlier tests' fixtures still hold
    comparison = run_comparison(
        "entities",
        "lite",
        seeds,
        ["window"],
        on_episode=lambda _: alive.append(live_results()),
        resamples=10,
    )
    memories = len(comparison.scores)
    assert len(alive) == memories * len(seeds)
    # at most three seeds' episodes are alive at once: the one counted and the two its worker
    # thread may have in flight; keeping them would reach ``memories`` x 6 by the last seed
    assert max(alive) - before <= 3 * memories + 1, (before, alive)


def test_running_summary_equals_the_whole_list_bit_for_bit() -> None:
    rng = random.Random(7)
    for trial in range(400):
        n = rng.randint(1, 30)
        draw = [
            lambda: rng.random(),
            lambda: rng.choice([0.0, 1.0, 0.5, 1 / 3, 2 / 3]),
            lambda: float(rng.randint(0, 900)),
            lambda: rng.uniform(-1e6, 1e6) * 10.0 ** rng.randint(-6, 6),
        ][trial % 4]
        values = [draw() for _ in range(n)]
        running = Running()
        for v in values:
            running.add(v)
        assert running.result() == mean_se(values), values
    assert all(math.isnan(x) for x in Running().result())


@pytest.mark.parametrize("value", [0.0, 1e-300, 0.25, 2.0, 1 / 3, 12345.678, 1e300])
def test_sqrt_rounded_is_the_correctly_rounded_root(value: float) -> None:
    from fractions import Fraction

    root = sqrt_rounded(Fraction(value))
    # no float is closer to the exact root: compare squares exactly against the neighbours
    exact = Fraction(value)
    for other in (math.nextafter(root, 0), math.nextafter(root, math.inf)):
        assert abs(Fraction(root) ** 2 - exact) <= abs(Fraction(other) ** 2 - exact)


def test_the_store_streams_episodes_a_page_at_a_time(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(results_module, "PAGE", 3)
    from memgym.run.runner import run_concurrent
    from memgym.run.work import stream

    items = list(
        stream("entities", "lite", range(4), {}, [("none", "scripted"), ("full", "scripted")])
    )
    with ResultsStore(tmp_path / "r.db") as store:
        run = store.start_run({"command": "test"}, len(items))
        other = store.start_run({"command": "other"}, 1)
        kept = run_concurrent(items, store, run)
        store.add_episode(other, kept[0], "x")
        keys = [key for key, _ in store.keyed_episodes(run, compactions=False)]
        assert keys == [item.key for item in items]  # 8 episodes over 3 pages, one run only
        read = list(store.episodes(run))
        assert [r.model_dump_json() for r in read] == [r.model_dump_json() for r in kept]
        assert len(list(store.episodes())) == len(items) + 1
        table = summarize(store.episodes(run, compactions=False))
        assert table[("none", "scripted")]["episodes"] == (4.0, 0.0)
        composites = [r.composite for r in kept if r.memory == "full"]
        assert table[("full", "scripted")]["composite"] == mean_se(composites)
