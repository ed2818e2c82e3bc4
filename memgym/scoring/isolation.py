"""The memory-isolated score: a memory's gain over no memory, normalised by the oracle's gain.

For one reasoner on the same scenarios, ``(acc(S) - acc(none)) / (acc(oracle) - acc(none))``:
0 is no better than forgetting everything, 1 is as good as being shown exactly the evidence.
Questions are paired across memories (same scenario hash, same question id), and the 95 %
confidence interval is a seeded percentile bootstrap over questions, resampling the same
questions for every memory. Alongside it: accuracy on the questions the oracle run got right
(what the memory loses when the reasoner could have answered).

Only scored questions count (abstention questions and ``infra_error`` answers are left out, as in
``memgym.scoring.axes``). The closed-book probe asks each question with an empty view; questions
a reasoner answers right without any memory leak their answer (from priors or the question text)
and are excluded from the isolated score, the oracle-right accuracy and the CI.
"""

from __future__ import annotations

import math
import random
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from memgym.errors import InfraError, ModelError
from memgym.scoring.reading import answer_names
from memgym.scoring.validators import is_correct
from memgym.types import EpisodeResult, Question, Scenario, View


class Reasoner(Protocol):
    """What ``closed_book`` asks of a reasoner (``memgym.reasoners.base.Reasoner`` is one): the
    scorer sits below the reasoners and names no class of theirs."""

    def reset(self, brief: str, params: Mapping[str, Any]) -> None: ...

    def answer(self, question: Question, view: View) -> str: ...


QuestionKey = tuple[str, str]
"""(scenario hash, question id): one question of one scenario."""

RESAMPLES = 1000
CONFIDENCE = 0.95


@dataclass(frozen=True)
class IsolatedScore:
    """One memory's scores against ``none`` and ``oracle`` (NaN where undefined)."""

    memory: str
    questions: int
    accuracy: float
    isolated: float
    ci_low: float
    ci_high: float
    oracle_right: float
    scored: int
    leaked: int


def answer_table(results: Iterable[EpisodeResult]) -> dict[str, dict[QuestionKey, bool]]:
    """memory -> (scenario hash, question id) -> correct, over scored questions only."""
    table: dict[str, dict[QuestionKey, bool]] = {}
    for result in results:
        add_answers(table, result)
    return table


def add_answers(table: dict[str, dict[QuestionKey, bool]], result: EpisodeResult) -> None:
    """Add one episode's scored answers to an ``answer_table`` (so results can be streamed:
    only one entry per scored question is kept, its strings shared by every memory)."""
    row = table.setdefault(result.memory, {})
    scenario = sys.intern(result.scenario_hash)
    for a in result.answers:
        if a.axis != "abstention" and a.status != "infra_error":
            row[(scenario, sys.intern(a.question_id))] = a.correct and a.status == "ok"


def closed_book(scenario: Scenario, reasoner: Reasoner) -> set[QuestionKey]:
    """The questions ``reasoner`` answers right with an empty view (leaked answers)."""
    reasoner.reset(scenario.brief, scenario.params)
    leaked: set[QuestionKey] = set()
    scenario_hash = scenario.hash
    names = answer_names(scenario)
    for question in scenario.questions:
        try:
            text = reasoner.answer(question.public(), View())
        except (ModelError, InfraError):
            continue
        if is_correct(question, text, names):
            leaked.add((scenario_hash, question.id))
    return leaked


def isolated(acc: float, none: float, oracle: float) -> float:
    """``(acc - none) / (oracle - none)``; NaN when the oracle gains nothing over none."""
    gain = oracle - none
    return (acc - none) / gain if gain else math.nan


def percentile(values: Sequence[float], p: float) -> float:
    """The ``p``-quantile (0..1) of sorted ``values``, linearly interpolated; NaN if empty."""
    if not values:
        return math.nan
    pos = p * (len(values) - 1)
    lo = math.floor(pos)
    hi = min(lo + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (pos - lo)


def isolate(
    answers: Mapping[str, Mapping[QuestionKey, bool]],
    leaked: Iterable[QuestionKey] = (),
    none: str = "none",
    oracle: str = "oracle",
    resamples: int = RESAMPLES,
    seed: int = 0,
) -> dict[str, IsolatedScore]:
    """Isolated score, bootstrap CI and oracle-right accuracy of every memory in ``answers``.

    Only questions every memory answered are used, so the memories are compared on the same
    questions; a memory that answered none (every episode an ``infra_error``) is left out of
    that intersection, and scores NaN on 0 questions, instead of emptying every other row.
    ``accuracy`` is over all of them; the other scores leave out the ``leaked`` ones. A score
    with no point estimate (the oracle gains nothing over none) has no interval either. Raises
    ``ValueError`` without a none and oracle run.
    """
    for name in (none, oracle):
        if name not in answers:
            raise ValueError(f"isolation needs a {name!r} run; got {sorted(answers)}")
    present = {m: row for m, row in answers.items() if row or m in (none, oracle)}
    common = set.intersection(*(set(row) for row in present.values()))
    keys = sorted(common)
    leak = set(leaked) & common
    clean = [k for k in keys if k not in leak]
    vectors = {m: [bool(row[k]) for k in clean] for m, row in present.items()}
    base, top = vectors[none], vectors[oracle]
    n = len(clean)
    samples: dict[str, list[float]] = {m: [] for m in present}
    rng = random.Random(seed)
    for _ in range(resamples if n else 0):
        counts = [0] * n
        for _ in range(n):
            counts[rng.randrange(n)] += 1
        hit = {m: sum(c for c, ok in zip(counts, v) if ok) for m, v in vectors.items()}
        for m in present:
            value = isolated(hit[m], hit[none], hit[oracle])
            if not math.isnan(value):
                samples[m].append(value)
    tail = (1 - CONFIDENCE) / 2
    scores = {}
    for m, row in answers.items():
        if not row and m not in (none, oracle):  # nothing answered: nothing to compare
            scores[m] = IsolatedScore(m, 0, math.nan, math.nan, math.nan, math.nan, math.nan, 0, 0)
            continue
        v = vectors[m]
        right = [ok for ok, o in zip(v, top) if o]
        draws = sorted(samples[m])
        point = isolated(_mean(v), _mean(base), _mean(top))
        scores[m] = IsolatedScore(
            memory=m,
            questions=len(keys),
            accuracy=sum(row[k] for k in keys) / len(keys) if keys else math.nan,
            isolated=point,
            ci_low=math.nan if math.isnan(point) else percentile(draws, tail),
            ci_high=math.nan if math.isnan(point) else percentile(draws, 1 - tail),
            oracle_right=_mean(right),
            scored=n,
            leaked=len(leak),
        )
    return scores


def _mean(values: Sequence[bool]) -> float:
    return sum(values) / len(values) if values else math.nan
