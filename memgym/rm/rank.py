"""Ranking strategies by predicted harm, checked against the replay ranking, and what it saves.

Each episode runs once (a cost both sides share). Then the replay labels every compaction
(re-asking the later questions with the dropped spans pinned) while MemRM scores the same
compactions; both are timed. A strategy's harm is its HARMFUL compactions per episode (replay) or
its summed P(HARMFUL) per episode (MemRM): the expected number of harmful compactions it makes.
The two rankings are compared by Kendall's tau-b; so are the per-compaction rates (share HARMFUL
vs mean P), which factor out how often a strategy compacts.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
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
class StrategyHarm:
    """One strategy's compactions, replay harm rate and predicted harm."""

    strategy: str
    compactions: int = 0
    harmful: int = 0
    predicted: float = 0.0
    episodes: int = 0

    @property
    def replay_per_episode(self) -> float:
        return self.harmful / self.episodes if self.episodes else 0.0

    @property
    def predicted_per_episode(self) -> float:
        return self.predicted / self.episodes if self.episodes else 0.0

    @property
    def replay_rate(self) -> float:
        return self.harmful / self.compactions if self.compactions else 0.0

    @property
    def predicted_rate(self) -> float:
        return self.predicted / self.compactions if self.compactions else 0.0


@dataclass
class Ranking:
    """The outcome of ``rank``: per strategy harms, tau and the timings."""

    strategies: list[StrategyHarm]
    tau: float
    tau_rate: float
    episode_seconds: float
    replay_seconds: float
    rm_seconds: float
    replay_calls: int
    episodes: int
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def compute_ratio(self) -> float:
        """Replay labelling time over MemRM scoring time."""
        return self.replay_seconds / self.rm_seconds if self.rm_seconds else float("inf")


def rank(
    model: Scorer,
    tracks: Sequence[str],
    strategies: Sequence[str],
    seeds: Sequence[int],
    tier: str | None = None,
    on_episode: Callable[[], None] | None = None,
) -> Ranking:
    """Run every (track, strategy, seed), label by replay and score by ``model``; compare."""
    from memgym.memory import make_memory
    from memgym.reasoners.scripted import ScriptedReasoner
    from memgym.rm.replay import actual_run, label_fast
    from memgym.tracks import get_track

    harms = {s: StrategyHarm(s) for s in strategies}
    run_s = replay_s = rm_s = 0.0
    calls = episodes = 0
    for track_name in tracks:
        track = get_track(track_name)
        for seed in seeds:
            scenario = track.generate(seed, tier)
            for strategy in strategies:
                t0 = time.perf_counter()
                asked, records = actual_run(
                    scenario, make_memory(strategy, track), ScriptedReasoner(track)
                )
                t1 = time.perf_counter()
                reasoner = CountingReasoner(ScriptedReasoner(track))
                labels = [label_fast(scenario.brief, asked, r, reasoner) for r in records]
                t2 = time.perf_counter()
                rows = [record_row(r, scenario.brief) for r in records]
                probs = model.predict(rows) if rows else []
                t3 = time.perf_counter()
                run_s += t1 - t0
                replay_s += t2 - t1
                rm_s += t3 - t2
                calls += reasoner.calls
                episodes += 1
                harm = harms[strategy]
                harm.episodes += 1
                for label, p in zip(labels, probs, strict=True):
                    if label.later == 0:
                        continue
                    harm.compactions += 1
                    harm.harmful += int(label.harmful)
                    harm.predicted += p
                if on_episode is not None:
                    on_episode()
    rows_out = list(harms.values())
    tau = kendall_tau(
        [h.replay_per_episode for h in rows_out], [h.predicted_per_episode for h in rows_out]
    )
    tau_rate = kendall_tau(
        [h.replay_rate for h in rows_out], [h.predicted_rate for h in rows_out]
    )
    return Ranking(rows_out, tau, tau_rate, run_s, replay_s, rm_s, calls, episodes)
