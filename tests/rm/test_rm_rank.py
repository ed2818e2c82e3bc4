"""``memgym.rmdata.rank``: tau's seed interval, replay's agreement with itself, and the summary of
labelled episodes, each recomputed by plain loops."""

from __future__ import annotations

import itertools
import math
import random
from typing import Any

import numpy as np
import pytest

from memgym.rmdata.rank import (
    EpisodeHarm,
    harm_matrices,
    kendall_tau,
    replay_agreement,
    summarise,
    tau_interval,
)
from tests.bench_scripts import load_bench_script


def _episodes(seed: int) -> list[EpisodeHarm]:
    rng = random.Random(seed)
    out = []
    for track, s, strategy in itertools.product(("a", "b"), range(6), ("w1", "w2", "m1", "s1")):
        base = {"w1": 8, "w2": 5, "m1": 7, "s1": 1}[strategy]
        harmful = max(0, base + rng.randint(-3, 3))
        out.append(
            EpisodeHarm(
                track,
                s,
                strategy,
                compactions=20 + rng.randint(0, 5),
                harmful=harmful,
                predicted=harmful * 0.8 + rng.random() * 3,
                run_seconds=0.1,
                replay_seconds=1.0,
                rm_seconds=0.05,
                replay_calls=30,
                fact_compactions=10 + rng.randint(0, 9),
                tokens_dropped=rng.randint(500, 900),
            )
        )
    return out


def test_harm_matrices_sum_over_tracks() -> None:
    episodes = _episodes(0)
    strategies, seeds = ["w1", "w2", "m1", "s1"], list(range(6))
    replay, predicted = harm_matrices(episodes, strategies, seeds)
    for (i, strategy), (j, seed) in itertools.product(enumerate(strategies), enumerate(seeds)):
        mine = [e for e in episodes if e.strategy == strategy and e.seed == seed]
        assert replay[i, j] == sum(e.harmful for e in mine)
        assert predicted[i, j] == pytest.approx(sum(e.predicted for e in mine))


@pytest.mark.parametrize("seed", range(3))
def test_summarise_recomputes_tau_per_track_and_costs(seed: int) -> None:
    episodes = _episodes(seed)
    strategies, seeds, tracks = ["w1", "w2", "m1", "s1"], list(range(6)), ["a", "b"]
    result = summarise(episodes, strategies, seeds, tracks)

    def per_episode(track: str | None, field: str) -> list[float]:
        return [
            sum(getattr(e, field) for e in episodes if e.strategy == s and track in (None, e.track))
            for s in strategies
        ]

    assert result.tau == pytest.approx(
        kendall_tau(per_episode(None, "harmful"), per_episode(None, "predicted"))
    )
    for track in tracks:
        assert result.per_track[track] == pytest.approx(
            kendall_tau(per_episode(track, "harmful"), per_episode(track, "predicted"))
        )
    assert result.episodes == len(episodes)
    assert result.replay_calls == 30 * len(episodes)
    assert result.compute_ratio == pytest.approx(1.0 / 0.05)
    assert all(math.isnan(v) for v in result.tau_interval)  # 6 seeds: n/a under 10
    by_rate = {h.strategy: h.replay_rate for h in result.strategies}
    assert by_rate["s1"] == pytest.approx(
        sum(e.harmful for e in episodes if e.strategy == "s1")
        / sum(e.compactions for e in episodes if e.strategy == "s1")
    )


def test_tau_interval_is_the_percentiles_of_resampled_taus() -> None:
    rng = np.random.default_rng(3)
    replay = rng.integers(0, 10, size=(5, 12)).astype(float)
    predicted = replay + rng.normal(0, 3, size=replay.shape)
    low, high = tau_interval(replay, predicted, rounds=300, seed=11)
    draw = np.random.default_rng(11)
    taus = []
    for _ in range(300):
        pick = draw.integers(0, 12, 12)
        tau = kendall_tau(replay[:, pick].sum(1), predicted[:, pick].sum(1))
        if not math.isnan(tau):
            taus.append(tau)
    assert (low, high) == pytest.approx(tuple(np.percentile(taus, [2.5, 97.5])))
    assert all(math.isnan(v) for v in tau_interval(replay[:, :1], predicted[:, :1]))
    assert all(math.isnan(v) for v in tau_interval(replay[:, :9], predicted[:, :9]))  # under 10


def test_replay_agreement_tells_separable_from_tied_strategies() -> None:
    rng = np.random.default_rng(5)
    separable = np.arange(6)[:, None] * 10.0 + rng.integers(0, 3, size=(6, 10))
    tied = 10.0 + rng.integers(0, 3, size=(6, 10))
    assert replay_agreement(separable) == pytest.approx(1.0)
    assert replay_agreement(tied) < 0.5
    assert math.isnan(replay_agreement(separable[:, :1]))


def test_rank_on_two_processes_equals_one(lite_model: tuple[Any, Any]) -> None:
    """Real episodes, replay and scoring: the spawned workers give the same harms, and the
    per-episode figures add up to the strategy totals."""
    from memgym.rmdata.rank import rank

    _, model = lite_model
    strategies = ["window:max_tokens=700", "summary:max_tokens=1200"]
    one = rank(model, ["codeqa"], strategies, [100, 101], workers=1)
    two = rank(model, ["codeqa"], strategies, [100, 101], workers=2)
    assert one.episodes == two.episodes == 4
    for a, b in zip(one.strategies, two.strategies, strict=True):
        assert (a.strategy, a.compactions, a.harmful, a.episodes) == (
            b.strategy,
            b.compactions,
            b.harmful,
            b.episodes,
        )
        assert a.predicted == pytest.approx(b.predicted)
        assert a.compactions > 0
    assert one.replay_calls == two.replay_calls > 0
    assert one.tau == two.tau or (math.isnan(one.tau) and math.isnan(two.tau))


def test_pool_selection_keeps_every_kind_and_drops_identical_outcomes() -> None:
    pool_script = load_bench_script("rm_rank_pool")
    pool = ("window:a", "window:b", "mask:a", "mask:b", "summary:a")
    rng = np.random.default_rng(2)
    replay = np.vstack(
        [
            40 + rng.integers(0, 3, 8),  # window:a, far above the rest
            20 + rng.integers(0, 3, 8),  # window:b
            np.full(8, 21.0),  # mask:a: tied with window:b within noise
            np.full(8, 21.0),  # mask:b: the same outcomes as mask:a
            np.zeros(8),  # summary:a
        ]
    ).astype(float)
    scored = pool_script.best_sets(replay, pool, 3, rounds=50)
    chosen = [set(s) for _, s in scored]
    kinds = {"window", "mask", "summary"}
    assert all({pool_script.kind(s) for s in c} == kinds for c in chosen)
    assert all(not {"mask:a", "mask:b"} <= c for c in chosen)
    assert len(chosen) == 4  # 2 windows x 2 masks, each with the one summary
    best = scored[0][1]
    assert "window:a" in best  # apart from the masks; window:b ties with them
    for agreement, s in scored:
        matrix = replay[[pool.index(x) for x in s]]
        assert agreement == pytest.approx(replay_agreement(matrix, rounds=50))
    assert [a for a, _ in scored] == sorted((a for a, _ in scored), reverse=True)


def test_replay_only_episodes_predict_nothing() -> None:
    from memgym.rmdata.rank import episode_harms

    harms = episode_harms(None, ["window:max_tokens=700"], None, ("codeqa", 100))
    assert len(harms) == 1 and harms[0].compactions > 0 and harms[0].predicted == 0.0


def test_tied_best_sets_are_joined() -> None:
    pool_script = load_bench_script("rm_rank_pool")
    pool = ("a", "b", "c", "d")
    replay = np.asarray([[9.0], [5.0], [1.0], [3.0]])
    scored = [(0.9, ("a", "c")), (0.9, ("a", "b")), (0.5, ("a", "d"))]
    assert pool_script.tied_union(scored, replay, pool) == ["a", "b", "c"]
    assert pool_script.tied_union([], replay, pool) == []


@pytest.mark.parametrize("seed", range(2))
def test_baselines_rank_by_counts_recomputed(seed: int) -> None:
    """Each model-free baseline's tau is replay's per-strategy totals against the summed
    counts, recomputed by plain loops; its counts per episode are the plain means."""
    episodes = _episodes(seed)
    strategies, seeds = ["w1", "w2", "m1", "s1"], list(range(6))
    result = summarise(episodes, strategies, seeds, ["a", "b"])
    replay = [sum(e.harmful for e in episodes if e.strategy == s) for s in strategies]
    assert set(result.baselines) == {"compactions", "fact_compactions", "tokens_dropped"}
    for name, (tau, interval) in result.baselines.items():
        counts = [sum(getattr(e, name) for e in episodes if e.strategy == s) for s in strategies]
        assert tau == pytest.approx(kendall_tau(replay, counts))
        assert all(math.isnan(v) for v in interval)  # 6 seeds: n/a
        for s, total in zip(strategies, counts, strict=True):
            mine = [e for e in episodes if e.strategy == s]
            assert result.counts[s][name] == pytest.approx(total / len(mine))


def test_a_count_that_ranks_like_replay_has_tau_one() -> None:
    """When harm follows the compaction count the count baseline ranks perfectly; the matched
    test exists because then tau of a model says nothing a count does not."""
    episodes = [
        EpisodeHarm(
            "a",
            s,
            name,
            compactions=c,
            harmful=c // 2,
            predicted=0.0,
            run_seconds=0,
            replay_seconds=0,
            rm_seconds=0,
            replay_calls=0,
        )
        for s in range(10)
        for name, c in (("x", 10), ("y", 20), ("z", 40))
    ]
    result = summarise(episodes, ["x", "y", "z"], list(range(10)), ["a"])
    tau, (low, high) = result.baselines["compactions"]
    assert tau == 1.0 and low == high == 1.0  # 10 seeds: the interval is computed
    assert math.isnan(result.tau)  # a model predicting 0 everywhere ranks nothing


def test_episode_counts_match_the_replayed_records() -> None:
    """Real episode: the fact-dropping and tokens-dropped counts are recomputed from the
    records with a later question (their pinned spans, token-counted)."""
    from memgym.memory import make_memory
    from memgym.reasoners.scripted import ScriptedReasoner
    from memgym.rm.rows import drops_fact, record_row
    from memgym.rmdata.rank import episode_harms
    from memgym.rmdata.replay import actual_run, label_both, pinned_spans
    from memgym.tokens import count_tokens
    from memgym.tracks import get_track

    strategy = "summary:max_tokens=900"
    (harm,) = episode_harms(None, [strategy], None, ("codeqa", 100))
    track = get_track("codeqa")
    scenario = track.generate(100, None)
    asked, records = actual_run(scenario, make_memory(strategy, track), ScriptedReasoner(track))
    both = label_both(scenario.brief, asked, records, ScriptedReasoner(track))
    later = [r for r, lab in zip(records, both.single, strict=True) if lab.later]
    assert harm.compactions == len(later) > 0
    assert harm.fact_compactions == sum(drops_fact(record_row(r, scenario.brief)) for r in later)
    tokens = 0
    for r in later:
        for span in pinned_spans(r):
            tokens += count_tokens(span.text)
    assert harm.tokens_dropped == tokens > 0


def test_cached_episodes_are_reused_and_checked(tmp_path: Any, monkeypatch: Any) -> None:
    """A second ranking reads the replayed episode from the cache (same figures, no replay);
    a cached file whose scenario hash is not the generator's is replayed again."""
    import json
    from pathlib import Path

    from memgym.rmdata import rank as rank_module

    job = ("codeqa", 100)
    first = rank_module.episode_harms(None, ["window:max_tokens=900"], None, job, cache=tmp_path)
    (path,) = Path(tmp_path).glob("*.json")
    stored = json.loads(path.read_text())
    assert len(stored["rows"]) == first[0].compactions > 0
    calls: list[str] = []
    real = rank_module.labelled_episode

    def counting(*args: Any) -> Any:
        calls.append(args[2])
        return real(*args)

    monkeypatch.setattr(rank_module, "labelled_episode", counting)
    again = rank_module.episode_harms(None, ["window:max_tokens=900"], None, job, cache=tmp_path)
    assert calls == [] and again[0].harmful == first[0].harmful
    assert again[0].tokens_dropped == first[0].tokens_dropped
    stored["costs"]["scenario"] = "stale"
    path.write_text(json.dumps(stored))
    rank_module.episode_harms(None, ["window:max_tokens=900"], None, job, cache=tmp_path)
    assert calls == ["window:max_tokens=900"]
    # A file a kill cut (older memgym wrote it in place) is replayed, not an error.
    path.write_text(path.read_text()[:100])
    cut = rank_module.episode_harms(None, ["window:max_tokens=900"], None, job, cache=tmp_path)
    assert calls == ["window:max_tokens=900"] * 2 and cut[0].harmful == first[0].harmful
    assert len(json.loads(path.read_text())["rows"]) == first[0].compactions  # written whole


def test_the_matched_set_defeats_the_counts_on_a_real_scenario() -> None:
    """Real replay, codeqa seed 200 (a seed the selection used, not rank's): at one budget the
    window and the inverted relevance drop about the same tokens, yet the one that drops what the
    task asks about first is charged more harm while it compacts less often."""
    from memgym.rmdata.dataset import MATCHED_STRATEGIES
    from memgym.rmdata.rank import episode_harms

    window, inverted = "window:max_tokens=6000", "relevance:max_tokens=6000,first=relevant"
    assert {window, inverted} <= set(MATCHED_STRATEGIES)
    a, b = episode_harms(None, [window, inverted], None, ("codeqa", 200))
    assert b.harmful > a.harmful
    assert b.compactions < a.compactions  # the compaction count ranks this pair backwards
    assert abs(b.tokens_dropped - a.tokens_dropped) < 0.05 * a.tokens_dropped


def test_verdict_compares_the_lower_bound_with_the_best_baseline() -> None:
    """The verdict line sets MemRM's lower seed bound against the best baseline's point: above
    it, the ranking beats counting; at or below it, it does not; without an interval, no call."""
    from memgym.rmdata.rank import Ranking

    def ranking(low: float, baselines: dict[str, float]) -> Ranking:
        return Ranking(
            [],
            1.0,
            1.0,
            0.0,
            0.0,
            0.0,
            0,
            10,
            tau_interval=(low, 1.0),
            baselines={k: (v, (v - 0.2, v + 0.2)) for k, v in baselines.items()},
        )

    counts = {"compactions": -0.2, "fact_compactions": -0.2, "tokens_dropped": 0.0}
    above = ranking(0.8, counts).verdict()
    assert "lies above every baseline" in above and "tokens dropped, 0.000" in above
    tied = ranking(0.2, {**counts, "compactions": 0.2}).verdict()
    assert "does not lie above" in tied and "compaction count, 0.200" in tied
    assert "no seed interval" in ranking(float("nan"), counts).verdict()
    undefined = ranking(0.1, {**counts, "compactions": float("nan")}).verdict()  # a constant count
    assert "lies above every baseline" in undefined and "tokens dropped, 0.000" in undefined
