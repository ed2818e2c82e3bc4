"""Before and after: two models' runs on the same scenarios, paired, with bootstrap intervals.

The runs are ordinary ``memgym run`` results (one results file, or several read together: runs
made in parallel write separate files). A model's episodes are grouped
by memory; the memory under test (``agentic:policy=strategic`` by default, what ``--model``
alone uses) gives its composite, accuracy, tool calls and writes, and, when the same model also
has ``none`` and ``oracle`` runs on those scenarios, its memory-isolated score
(``memgym.scoring.isolation``). The difference after - before is paired on what both answered:
per episode for the composite and the tool calls made (same scenario hash), per question for accuracy (same scenario and
question), each with a seeded percentile bootstrap interval and, beside it, the exact paired
sign-flip p and the Student t interval (``memgym.train.paired``): with few pairs (under
``FEW_PAIRS``) a percentile bootstrap interval is too narrow to be read alone.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from memgym.scoring.isolation import CONFIDENCE, answer_table, isolate, percentile
from memgym.train.paired import SignFlip, TInterval, sign_flip_p, t_interval
from memgym.types import EpisodeResult

DEFAULT_MEMORY = "agentic:policy=strategic"
FEW_PAIRS = 20
"""Below this many pairs ``train lift`` warns that the bootstrap interval is not to be trusted."""


@dataclass(frozen=True)
class Interval:
    """A mean with its bootstrap interval, over ``n`` paired items, and the exact tests beside
    it: the sign-flip p and the t interval (``memgym.train.paired``)."""

    mean: float
    low: float
    high: float
    n: int
    sign_flip: SignFlip | None = None
    t: TInterval | None = None


def paired(values: Sequence[float], resamples: int, seed: int) -> Interval:
    """``bootstrap_mean`` of paired differences, with the sign-flip p and the t interval."""
    boot = bootstrap_mean(values, resamples, seed)
    return Interval(
        boot.mean, boot.low, boot.high, boot.n, sign_flip_p(values, seed), t_interval(values)
    )


@dataclass(frozen=True)
class ModelSide:
    """One model's figures on the memory under test."""

    model: str
    episodes: int
    composite: float
    accuracy: float
    tool_calls: float
    tool_errors: float
    writes_used: float
    calls: float
    isolated: float
    isolated_low: float
    isolated_high: float


def bootstrap_mean(values: Sequence[float], resamples: int, seed: int) -> Interval:
    """The mean of ``values`` and its percentile bootstrap interval (``CONFIDENCE``)."""
    n = len(values)
    if not n:
        return Interval(math.nan, math.nan, math.nan, 0)
    rng = random.Random(seed)
    draws = sorted(sum(values[rng.randrange(n)] for _ in range(n)) / n for _ in range(resamples))
    tail = (1 - CONFIDENCE) / 2
    return Interval(sum(values) / n, percentile(draws, tail), percentile(draws, 1 - tail), n)


def by_model(results: Iterable[EpisodeResult]) -> dict[str, dict[str, list[EpisodeResult]]]:
    """model -> memory -> its ok episodes (``infra_error`` episodes are left out, as in scores)."""
    table: dict[str, dict[str, list[EpisodeResult]]] = {}
    for r in results:
        if r.status != "infra_error":
            table.setdefault(r.model, {}).setdefault(r.memory, []).append(r)
    return table


def _side(
    model: str, runs: Mapping[str, list[EpisodeResult]], memory: str, resamples: int, seed: int
) -> ModelSide:
    episodes = runs.get(memory) or []
    if not episodes:
        raise ValueError(f"no {memory} episodes of model {model!r} in the results")
    n = len(episodes)
    iso = (math.nan, math.nan, math.nan)
    if "none" in runs and "oracle" in runs:
        pool = [*episodes, *runs["none"], *runs["oracle"]]
        score = isolate(answer_table(pool), resamples=resamples, seed=seed)[memory]
        iso = (score.isolated, score.ci_low, score.ci_high)
    return ModelSide(
        model=model,
        episodes=n,
        composite=sum(e.composite for e in episodes) / n,
        accuracy=sum(e.correct for e in episodes) / max(1, sum(e.questions for e in episodes)),
        tool_calls=sum(e.usage.get("tool_calls", 0.0) for e in episodes),
        tool_errors=sum(e.usage.get("tool_errors", 0.0) for e in episodes),
        writes_used=sum(e.writes_used for e in episodes) / n,
        calls=sum(e.usage.get("calls", 0.0) for e in episodes),
        isolated=iso[0],
        isolated_low=iso[1],
        isolated_high=iso[2],
    )


def _tool_calls(episode: EpisodeResult) -> float:
    return float(episode.usage.get("tool_calls", 0.0))


def lift(
    results: Iterable[EpisodeResult],
    before: str,
    after: str,
    memory: str = DEFAULT_MEMORY,
    resamples: int = 1000,
    seed: int = 0,
) -> dict[str, Any]:
    """Both models' figures on ``memory`` and the paired differences (after - before)."""
    table = by_model(results)
    for model in (before, after):
        if model not in table:
            raise ValueError(f"no episodes of model {model!r}; the results hold {sorted(table)}")
    sides = [_side(m, table[m], memory, resamples, seed) for m in (before, after)]
    first = {e.scenario_hash: e for e in table[before][memory]}
    second = {e.scenario_hash: e for e in table[after][memory]}
    shared = sorted(set(first) & set(second))
    composite = [second[h].composite - first[h].composite for h in shared]
    tools = [_tool_calls(second[h]) - _tool_calls(first[h]) for h in shared]
    a = answer_table(first[h] for h in shared).get(memory, {})
    b = answer_table(second[h] for h in shared).get(memory, {})
    keys = sorted(set(a) & set(b))
    correct = [float(b[k]) - float(a[k]) for k in keys]
    return {
        "memory": memory,
        "before": sides[0],
        "after": sides[1],
        "composite_diff": paired(composite, resamples, seed),
        "accuracy_diff": paired(correct, resamples, seed + 1),
        "tool_calls_diff": paired(tools, resamples, seed + 2),
        "scenarios": len(shared),
    }
