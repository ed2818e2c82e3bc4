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
resampled, and how well replay agrees with itself (the mean tau between the replay rankings of
two disjoint halves of the seeds). Strategies whose replay harms differ less than the seeds vary
cannot be ranked by anyone, replay on other seeds included.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import numpy as np

from memgym.reasoners.base import Reasoner
from memgym.rm.models import Scorer
from memgym.rm.rows import record_row
from memgym.types import Question, View


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
    harm matrices) are drawn again with replacement; NaNs under two seeds."""
    n = replay.shape[1]
    if n < 2:
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

    @property
    def compute_ratio(self) -> float:
        """Replay labelling time over MemRM scoring time."""
        return self.replay_seconds / self.rm_seconds if self.rm_seconds else float("inf")


def episode_harms(
    model: Scorer | None, strategies: Sequence[str], tier: str | None, job: tuple[str, int]
) -> list[EpisodeHarm]:
    """Run one (track, seed) scenario under each strategy; label its compactions by replay and
    score them by ``model`` (without one, replay alone: every prediction is 0)."""
    from memgym.memory import make_memory
    from memgym.reasoners.scripted import ScriptedReasoner
    from memgym.rmdata.replay import actual_run, label_both
    from memgym.tracks import get_track

    track_name, seed = job
    track = get_track(track_name)
    scenario = track.generate(seed, tier)
    out = []
    for strategy in strategies:
        t0 = time.perf_counter()
        asked, records = actual_run(scenario, make_memory(strategy, track), ScriptedReasoner(track))
        t1 = time.perf_counter()
        reasoner = CountingReasoner(ScriptedReasoner(track))
        both = label_both(scenario.brief, asked, records, reasoner)
        t2 = time.perf_counter()
        rows = [record_row(r, scenario.brief) for r in records]
        probs = model.predict(rows) if rows and model is not None else [0.0] * len(rows)
        t3 = time.perf_counter()
        counted = [
            (single, shared, p)
            for single, shared, p in zip(both.single, both.shared, probs, strict=True)
            if single.later
        ]
        out.append(
            EpisodeHarm(
                track_name,
                seed,
                strategy,
                len(counted),
                sum(int(sh) for _, sh, _ in counted),
                float(sum(p for _, _, p in counted)),
                t1 - t0,
                t2 - t1,
                t3 - t2,
                reasoner.calls,
                sum(int(si.harmful) for si, _, _ in counted),
            )
        )
    return out


def rank(
    model: Scorer,
    tracks: Sequence[str],
    strategies: Sequence[str],
    seeds: Sequence[int],
    tier: str | None = None,
    on_episode: Callable[[], None] | None = None,
    workers: int = 1,
) -> Ranking:
    """Run every (track, strategy, seed), label by replay and score by ``model``; compare.
    With ``workers`` > 1 the scenarios run on that many processes (the model is pickled to each)."""
    from memgym.rmdata.dataset import parallel_map

    jobs = [(t, s) for t in tracks for s in seeds]
    episodes: list[EpisodeHarm] = []
    for harms in parallel_map(partial(episode_harms, model, list(strategies), tier), jobs, workers):
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
    )


def harm_matrices(
    episodes: Iterable[EpisodeHarm],
    strategies: Sequence[str],
    seeds: Sequence[int],
    single: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """Replay HARMFUL counts (shared-harm label, or single-undo with ``single``) and MemRM
    summed P, strategies x seeds, summed over tracks."""
    row = {s: i for i, s in enumerate(strategies)}
    col = {s: j for j, s in enumerate(seeds)}
    replay = np.zeros((len(strategies), len(seeds)))
    predicted = np.zeros_like(replay)
    for e in episodes:
        replay[row[e.strategy], col[e.seed]] += e.harmful_single if single else e.harmful
        predicted[row[e.strategy], col[e.seed]] += e.predicted
    return replay, predicted
