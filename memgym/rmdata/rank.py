"""Ranking strategies by predicted harm, checked against the replay ranking, and what it saves.

Replay labels by both definitions (``replay.label_both``); tau is given against the shared-harm
label (the dataset's) and against the single-undo one.

Each episode runs once (a cost both sides share). Then the replay labels every compaction
(re-asking the later questions with the dropped spans pinned) while MemRM scores the same
compactions; both are timed. A strategy's harm is its HARMFUL compactions per episode (replay) or
its summed P(HARMFUL) per episode (MemRM): the expected number of harmful compactions it makes.
The two rankings are compared by Kendall's tau-b; so are the per-compaction rates (share HARMFUL
vs mean P), which factor out how often a strategy compacts.

Two figures say how far tau can be trusted on the seeds run: its 95 % interval when the seeds are
resampled (n/a under ``MIN_SEEDS`` seeds: a bootstrap over fewer under-covers), and how well
replay agrees with itself (the mean tau between the replay rankings of two disjoint halves of the
seeds). Strategies whose replay harms differ less than the seeds vary cannot be ranked by anyone,
replay on other seeds included.

Beside MemRM, three model-free baselines rank the same episodes by counting (``BASELINES``): the
compactions, the compactions that drop a fact, and the tokens the compactions took out (their
pinned spans, ``replay.pinned_spans``). Where strategies differ in how much they compact these
rank as well as any model; on a matched set (``MATCHED_STRATEGIES``: equal budgets, similar
counts) only a judge of *what* is dropped can.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from memgym.files import read_json, write_atomic
from memgym.reasoners.base import Reasoner
from memgym.rm.models import Scorer
from memgym.rm.rows import Row, record_row
from memgym.types import Question, View

MIN_SEEDS = 10
"""Fewer seeds than this and tau's seed interval is n/a (NaN)."""
BASELINES = ("compactions", "fact_compactions", "tokens_dropped")
"""The model-free rankings ``rank`` prints beside MemRM's: per-episode counts of EpisodeHarm."""
BASELINE_NAMES = {
    "compactions": "compaction count",
    "fact_compactions": "fact-dropping count",
    "tokens_dropped": "tokens dropped",
}
"""How each baseline is printed."""


def kendall_tau(x: Sequence[float], y: Sequence[float]) -> float:
    """Kendall's tau-b (tie-corrected); NaN when either side is constant."""
    a = np.asarray(x, dtype=np.float64)
    b = np.asarray(y, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError("kendall_tau: sequences differ in length")
    i, j = np.triu_indices(a.size, k=1)
    da = np.sign(a[i] - a[j])
    db = np.sign(b[i] - b[j])
    n_a = float((da != 0).sum())
    n_b = float((db != 0).sum())
    if n_a == 0 or n_b == 0:
        return float("nan")
    return float((da * db).sum() / np.sqrt(n_a * n_b))


def tau_interval(
    replay: np.ndarray, predicted: np.ndarray, rounds: int = 1000, seed: int = 0
) -> tuple[float, float]:
    """The 95 % percentile interval of tau when the seeds (columns of the strategies x seeds
    harm matrices) are drawn again with replacement; NaNs under ``MIN_SEEDS`` seeds."""
    n = replay.shape[1]
    if n < MIN_SEEDS:
        return float("nan"), float("nan")
    rng = np.random.default_rng(seed)
    taus = []
    for _ in range(rounds):
        pick = rng.integers(0, n, n)
        tau = kendall_tau(replay[:, pick].sum(axis=1), predicted[:, pick].sum(axis=1))
        if not math.isnan(tau):
            taus.append(tau)
    if not taus:
        return float("nan"), float("nan")
    low, high = np.percentile(taus, [2.5, 97.5])
    return float(low), float(high)


def replay_agreement(replay: np.ndarray, rounds: int = 200, seed: int = 0) -> float:
    """The mean tau between the replay rankings of two disjoint random halves of the seeds
    (columns): how far replay agrees with itself at half the seeds; NaN under two seeds."""
    n = replay.shape[1]
    if n < 2:
        return float("nan")
    rng = np.random.default_rng(seed)
    taus = []
    for _ in range(rounds):
        order = rng.permutation(n)
        half = n // 2
        tau = kendall_tau(
            replay[:, order[:half]].sum(axis=1), replay[:, order[half : 2 * half]].sum(axis=1)
        )
        if not math.isnan(tau):
            taus.append(tau)
    return float(np.mean(taus)) if taus else float("nan")


class CountingReasoner(Reasoner):
    """Passes questions on to ``inner`` and counts them (the calls a replay costs)."""

    name = "counting"

    def __init__(self, inner: Reasoner) -> None:
        self.inner = inner
        self.calls = 0

    def reset(self, brief: str, params: Mapping[str, Any]) -> None:
        self.inner.reset(brief, params)

    def answer(self, question: Question, view: View) -> str:
        self.calls += 1
        return self.inner.answer(question, view)


@dataclass
class EpisodeHarm:
    """One episode of one strategy: its compactions (those with a later question), how many
    replay labels HARMFUL, MemRM's summed P(HARMFUL), and what each side cost."""

    track: str
    seed: int
    strategy: str
    compactions: int
    harmful: int
    predicted: float
    run_seconds: float
    replay_seconds: float
    rm_seconds: float
    replay_calls: int
    harmful_single: int = 0
    """HARMFUL by the single-undo label (``harmful`` is the shared-harm label)."""
    fact_compactions: int = 0
    """Compactions that drop a span stating a fact (``rows.drops_fact``)."""
    tokens_dropped: int = 0
    """Tokens of what the compactions took out (their pinned spans)."""


def _share(part: float, whole: int) -> float:
    """``part / whole``, 0 when there is no whole."""
    return part / whole if whole else 0.0


@dataclass
class StrategyHarm:
    """One strategy's compactions, replay harm rate and predicted harm."""

    strategy: str
    compactions: int = 0
    harmful: int = 0
    predicted: float = 0.0
    episodes: int = 0
    harmful_single: int = 0

    @property
    def replay_per_episode(self) -> float:
        return _share(self.harmful, self.episodes)

    @property
    def predicted_per_episode(self) -> float:
        return _share(self.predicted, self.episodes)

    @property
    def replay_rate(self) -> float:
        return _share(self.harmful, self.compactions)

    @property
    def predicted_rate(self) -> float:
        return _share(self.predicted, self.compactions)


@dataclass
class Ranking:
    """The outcome of ``rank``: per strategy harms, tau, its reliability and the timings."""

    strategies: list[StrategyHarm]
    tau: float
    tau_rate: float
    episode_seconds: float
    replay_seconds: float
    rm_seconds: float
    replay_calls: int
    episodes: int
    tau_interval: tuple[float, float] = (float("nan"), float("nan"))
    """95 % interval of ``tau`` over seed resamples."""
    replay_agreement: float = float("nan")
    """Mean tau of replay against itself on disjoint halves of the seeds."""
    per_track: dict[str, float] = field(default_factory=dict)
    """Tau within each track."""
    tau_single: float = float("nan")
    """Tau against the single-undo label's ranking (``tau`` is against the shared-harm one)."""
    tau_single_interval: tuple[float, float] = (float("nan"), float("nan"))
    extra: dict[str, Any] = field(default_factory=dict)
    baselines: dict[str, tuple[float, tuple[float, float]]] = field(default_factory=dict)
    """Per model-free baseline (``BASELINES``): tau against replay and its seed interval."""
    counts: dict[str, dict[str, float]] = field(default_factory=dict)
    """Per strategy, each baseline's count per episode (how well a set is matched)."""

    def verdict(self) -> str:
        """Whether MemRM's lower seed bound lies above every baseline's point estimate (what a
        ranker must show to beat counting), in one line; says why when it cannot be told."""
        low = self.tau_interval[0]
        ranked = {k: v for k, v in self.baselines.items() if not math.isnan(v[0])}
        if math.isnan(low) or not ranked:
            return (
                "MemRM against the baselines: no seed interval (too few seeds) or no"
                " baseline that ranks the strategies"
            )
        name, (best, _) = max(ranked.items(), key=lambda item: item[1][0])
        label = BASELINE_NAMES.get(name, name)
        if low > best:
            return (
                f"MemRM's lower bound {low:.2f} lies above every baseline's tau (the best,"
                f" {label}, {best:.3f})"
            )
        return (
            f"MemRM's lower bound {low:.2f} does not lie above the best baseline's tau"
            f" ({label}, {best:.3f})"
        )

    @property
    def compute_ratio(self) -> float:
        """Replay labelling time over MemRM scoring time."""
        return self.replay_seconds / self.rm_seconds if self.rm_seconds else float("inf")


def labelled_episode(
    track_name: str, seed: int, strategy: str, tier: str | None
) -> tuple[list[Row], dict[str, Any]]:
    """Run one episode and label its compactions by replay: the rows of those with a later
    question (``harmful``, ``harmful_single`` and ``tokens_pinned``: the tokens of what each
    took out), and the costs (``run_seconds``, ``replay_seconds``, ``replay_calls``) with the
    scenario's hash."""
    from memgym.memory import make_memory
    from memgym.reasoners.scripted import ScriptedReasoner
    from memgym.rmdata.replay import actual_run, label_both, pinned_spans
    from memgym.tokens import count_tokens
    from memgym.tracks import get_track

    track = get_track(track_name)
    scenario = track.generate(seed, tier)
    t0 = time.perf_counter()
    asked, records = actual_run(scenario, make_memory(strategy, track), ScriptedReasoner(track))
    t1 = time.perf_counter()
    reasoner = CountingReasoner(ScriptedReasoner(track))
    both = label_both(scenario.brief, asked, records, reasoner)
    t2 = time.perf_counter()
    rows = [
        record_row(
            r,
            scenario.brief,
            harmful=int(shared),
            harmful_single=int(single.harmful),
            tokens_pinned=sum(count_tokens(span.text) for span in pinned_spans(r)),
        )
        for r, single, shared in zip(records, both.single, both.shared, strict=True)
        if single.later
    ]
    costs = {
        "scenario": scenario.hash,
        "run_seconds": t1 - t0,
        "replay_seconds": t2 - t1,
        "replay_calls": reasoner.calls,
    }
    return rows, costs


def cached_episode(
    cache: str | Path | None, track_name: str, seed: int, strategy: str, tier: str | None
) -> tuple[list[Row], dict[str, Any]]:
    """``labelled_episode``, read from (or written to) ``cache`` when given: replay is the costly
    side, the same for every model, so a second model is ranked without replaying. A cached file
    is used only when its scenario hash is the one the generator makes now."""
    if cache is None:
        return labelled_episode(track_name, seed, strategy, tier)
    import hashlib
    import json

    from memgym.tracks import get_track

    key = hashlib.sha256(f"{track_name}|{seed}|{strategy}|{tier}".encode()).hexdigest()[:16]
    path = Path(cache) / f"{track_name}-{seed}-{key}.json"
    stored = _read_cached(path)
    if stored and stored["costs"]["scenario"] == get_track(track_name).generate(seed, tier).hash:
        return stored["rows"], stored["costs"]
    rows, costs = labelled_episode(track_name, seed, strategy, tier)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, json.dumps({"rows": rows, "costs": costs}))
    return rows, costs


def _read_cached(path: Path) -> dict[str, Any] | None:
    """A cached episode, or None when there is none or it cannot be read (it is replayed)."""
    stored = read_json(path)
    if not (isinstance(stored, dict) and {"rows", "costs"} <= stored.keys()):
        return None
    return stored if isinstance(stored["costs"], dict) else None


def episode_harms(
    model: Scorer | None,
    strategies: Sequence[str],
    tier: str | None,
    job: tuple[str, int],
    cache: str | Path | None = None,
) -> list[EpisodeHarm]:
    """Run one (track, seed) scenario under each strategy; label its compactions by replay and
    score them by ``model`` (without one, replay alone: every prediction is 0)."""
    from memgym.rm.rows import drops_fact

    track_name, seed = job
    out = []
    for strategy in strategies:
        rows, costs = cached_episode(cache, track_name, seed, strategy, tier)
        t0 = time.perf_counter()
        probs = model.predict(rows) if rows and model is not None else [0.0] * len(rows)
        t1 = time.perf_counter()
        out.append(
            EpisodeHarm(
                track_name,
                seed,
                strategy,
                len(rows),
                sum(int(r["harmful"]) for r in rows),
                float(sum(probs)),
                costs["run_seconds"],
                costs["replay_seconds"],
                t1 - t0,
                costs["replay_calls"],
                sum(int(r["harmful_single"]) for r in rows),
                sum(int(drops_fact(r)) for r in rows),
                sum(int(r["tokens_pinned"]) for r in rows),
            )
        )
    return out


def rank(
    model: Scorer | None,
    tracks: Sequence[str],
    strategies: Sequence[str],
    seeds: Sequence[int],
    tier: str | None = None,
    on_episode: Callable[[], None] | None = None,
    workers: int = 1,
    cache: str | Path | None = None,
) -> Ranking:
    """Run every (track, strategy, seed), label by replay and score by ``model``; compare.
    With ``workers`` > 1 the scenarios run on that many processes (the model is pickled to each);
    with ``cache`` the replayed episodes are kept there and reused (``cached_episode``)."""
    from memgym.rmdata.dataset import parallel_map

    jobs = [(t, s) for t in tracks for s in seeds]
    episodes: list[EpisodeHarm] = []
    for harms in parallel_map(
        partial(episode_harms, model, list(strategies), tier, cache=cache), jobs, workers
    ):
        episodes.extend(harms)
        if on_episode is not None:
            for _ in harms:
                on_episode()
    return summarise(episodes, strategies, seeds, tracks)


def summarise(
    episodes: Iterable[EpisodeHarm],
    strategies: Sequence[str],
    seeds: Sequence[int],
    tracks: Sequence[str],
) -> Ranking:
    """Per-strategy harms, tau (overall, per track, per-compaction), tau's seed interval and
    replay's agreement with itself, from labelled and scored episodes."""
    episodes = list(episodes)
    harms = {s: StrategyHarm(s) for s in strategies}
    for e in episodes:
        h = harms[e.strategy]
        h.episodes += 1
        h.compactions += e.compactions
        h.harmful += e.harmful
        h.harmful_single += e.harmful_single
        h.predicted += e.predicted
    rows = list(harms.values())
    tau = kendall_tau([h.replay_per_episode for h in rows], [h.predicted_per_episode for h in rows])
    tau_rate = kendall_tau([h.replay_rate for h in rows], [h.predicted_rate for h in rows])
    replay, predicted = harm_matrices(episodes, strategies, seeds)
    single, _ = harm_matrices(episodes, strategies, seeds, single=True)
    per_track = {}
    for track in tracks:
        r, p = harm_matrices([e for e in episodes if e.track == track], strategies, seeds)
        per_track[track] = kendall_tau(r.sum(axis=1), p.sum(axis=1))
    return Ranking(
        rows,
        tau,
        tau_rate,
        sum(e.run_seconds for e in episodes),
        sum(e.replay_seconds for e in episodes),
        sum(e.rm_seconds for e in episodes),
        sum(e.replay_calls for e in episodes),
        len(episodes),
        tau_interval(replay, predicted),
        replay_agreement(replay),
        per_track,
        kendall_tau(single.sum(axis=1), predicted.sum(axis=1)),
        tau_interval(single, predicted),
        {"replay_single_vs_shared": kendall_tau(single.sum(axis=1), replay.sum(axis=1))},
        *baseline_taus(episodes, strategies, seeds, replay),
    )


def count_matrix(
    episodes: Iterable[EpisodeHarm], strategies: Sequence[str], seeds: Sequence[int], name: str
) -> np.ndarray:
    """The EpisodeHarm field ``name`` summed over tracks, strategies x seeds."""
    row = {s: i for i, s in enumerate(strategies)}
    col = {s: j for j, s in enumerate(seeds)}
    out = np.zeros((len(strategies), len(seeds)))
    for e in episodes:
        out[row[e.strategy], col[e.seed]] += getattr(e, name)
    return out


def baseline_taus(
    episodes: Sequence[EpisodeHarm],
    strategies: Sequence[str],
    seeds: Sequence[int],
    replay: np.ndarray,
) -> tuple[dict[str, tuple[float, tuple[float, float]]], dict[str, dict[str, float]]]:
    """Tau (and seed interval) of each model-free baseline against replay, and each strategy's
    baseline counts per episode."""
    taus = {}
    counts: dict[str, dict[str, float]] = {s: {} for s in strategies}
    episodes_of = {s: sum(1 for e in episodes if e.strategy == s) for s in strategies}
    for name in BASELINES:
        matrix = count_matrix(episodes, strategies, seeds, name)
        taus[name] = (
            kendall_tau(replay.sum(axis=1), matrix.sum(axis=1)),
            tau_interval(replay, matrix),
        )
        for i, s in enumerate(strategies):
            counts[s][name] = _share(float(matrix[i].sum()), episodes_of[s])
    return taus, counts


def harm_matrices(
    episodes: Iterable[EpisodeHarm],
    strategies: Sequence[str],
    seeds: Sequence[int],
    single: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """Replay HARMFUL counts (shared-harm label, or single-undo with ``single``) and MemRM
    summed P, strategies x seeds, summed over tracks."""
    episodes = list(episodes)
    label = "harmful_single" if single else "harmful"
    return (
        count_matrix(episodes, strategies, seeds, label),
        count_matrix(episodes, strategies, seeds, "predicted"),
    )
