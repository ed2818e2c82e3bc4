"""A protocol track's score: the mean memory-isolated score of the protocol's strategies, with a
paired percentile bootstrap interval over questions (the same resampled questions for every
memory, as ``memgym.scoring.isolation.isolate`` does for one memory).

Questions the ``closed-book`` probe answers right are leaked: left out of every isolated score,
as in ``memgym compare``. Only questions every memory answered count. On an interactive track the
questions are the scored tasks, the ceiling is ``full`` instead of the oracle, and there is no
probe: the share of ``full``'s gain over ``none`` the strategies keep.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from memgym.protocol.spec import PROBE
from memgym.scoring.isolation import (
    CONFIDENCE,
    IsolatedScore,
    QuestionKey,
    isolate,
    isolated,
    percentile,
)


@dataclass(frozen=True)
class TrackScore:
    """The headline score of one track (NaN where undefined) and every memory's scores."""

    score: float
    ci_low: float
    ci_high: float
    memories: dict[str, IsolatedScore]


def track_score(
    answers: Mapping[str, Mapping[QuestionKey, bool]],
    strategies: Sequence[str],
    resamples: int,
    seed: int = 0,
    ceiling: str = "oracle",
) -> TrackScore:
    """The mean isolated score of ``strategies`` over the questions of ``answers`` (memory ->
    question -> correct, the probe's row included where there is one) and every memory's own
    scores, each against ``ceiling`` (``oracle``; ``full`` on an interactive track)."""
    leaked = {key for key, right in answers.get(PROBE, {}).items() if right}
    rows = {memory: row for memory, row in answers.items() if memory != PROBE}
    per_memory = isolate(rows, leaked, oracle=ceiling, resamples=resamples, seed=seed)
    common = set.intersection(*(set(row) for row in rows.values()))
    clean = sorted(common - leaked)
    vectors = {m: [rows[m][k] for k in clean] for m in ("none", ceiling, *strategies)}
    n = len(clean)

    def mean_isolated(hits: Mapping[str, float]) -> float:
        values = [isolated(hits[s], hits["none"], hits[ceiling]) for s in strategies]
        return math.nan if any(math.isnan(v) for v in values) else sum(values) / len(values)

    point = mean_isolated({m: sum(v) for m, v in vectors.items()}) if n else math.nan
    rng = random.Random(seed)
    draws = []
    for _ in range(resamples if n else 0):
        counts = [0] * n
        for _ in range(n):
            counts[rng.randrange(n)] += 1
        value = mean_isolated(
            {m: sum(c for c, ok in zip(counts, v) if ok) for m, v in vectors.items()}
        )
        if not math.isnan(value):
            draws.append(value)
    draws.sort()
    tail = (1 - CONFIDENCE) / 2
    return TrackScore(point, percentile(draws, tail), percentile(draws, 1 - tail), per_memory)
