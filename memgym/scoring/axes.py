"""An episode's answers as four axis scores and one composite.

Every question belongs to one axis. **Breadth**, **maintenance** and **reasoning** are accuracy
axes: the share of that axis's questions answered correctly. **Efficiency** is correct answers
per write used, bounded by 1: ``correct / max(Q, W)`` with Q the scored questions and W the
writes used. An agent that answers everything right with no more writes than questions gets
1.0; one that writes nothing and guesses scores about 0, because it is rarely right.

The composite is ``0.30 breadth + 0.25 maintenance + 0.25 reasoning + 0.20 efficiency``. When an
episode has no question on an accuracy axis, that axis is dropped and the remaining weights are
renormalised to sum to 1 (it is not scored as 0, and appears in no ``axes`` dict). So a perfect
score, composite 1.0, needs every scored answer correct with at most one write per question, and
that ceiling is the same in every tier: no tier caps the composite below 1.0, and none lets a
strategy reach 1.0 by writing more than it is asked about.

Abstention questions (gold "unknown") are excluded from every axis and from the composite: their
accuracy is reported on its own, as ``abstention``. Answers with status ``infra_error`` are
infrastructure failures, not the model's, and are excluded from every count; answers with status
``model_error`` count as wrong.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from memgym.types import AnswerRecord

WEIGHTS: dict[str, float] = {
    "breadth": 0.30,
    "maintenance": 0.25,
    "reasoning": 0.25,
    "efficiency": 0.20,
}
ACCURACY_AXES: tuple[str, ...] = ("breadth", "maintenance", "reasoning")


@dataclass(frozen=True)
class Scores:
    """One episode's scores; ``axes`` holds only the axes the episode has questions for."""

    axes: dict[str, float]
    composite: float
    accuracy: float
    abstention: float | None
    questions: int
    correct: int


def _right(answer: AnswerRecord) -> bool:
    return answer.correct and answer.status == "ok"


def _share(answers: Sequence[AnswerRecord]) -> float:
    return sum(_right(a) for a in answers) / len(answers)


def score_answers(answers: Sequence[AnswerRecord], writes_used: int) -> Scores:
    """Axis scores, composite, accuracy and abstention accuracy of one episode.

    With no scored question left (all abstention or ``infra_error``), ``axes`` is empty and
    composite and accuracy are 0.0; ``questions == 0`` tells such an episode apart.
    """
    counted = [a for a in answers if a.status != "infra_error"]
    scored = [a for a in counted if a.axis != "abstention"]
    abstaining = [a for a in counted if a.axis == "abstention"]
    correct = sum(_right(a) for a in scored)
    axes: dict[str, float] = {}
    for axis in ACCURACY_AXES:
        on_axis = [a for a in scored if a.axis == axis]
        if on_axis:
            axes[axis] = _share(on_axis)
    if scored:
        axes["efficiency"] = correct / max(len(scored), writes_used)
    total = sum(WEIGHTS[name] for name in axes)
    weighted = sum(WEIGHTS[name] * value for name, value in axes.items())
    composite = weighted / total if total else 0.0
    return Scores(
        axes=axes,
        composite=composite,
        accuracy=correct / len(scored) if scored else 0.0,
        abstention=_share(abstaining) if abstaining else None,
        questions=len(scored),
        correct=correct,
    )


def _summary(values: list[float]) -> dict[str, float | int | None]:
    se = statistics.stdev(values) / math.sqrt(len(values)) if len(values) > 1 else None
    return {"mean": statistics.fmean(values), "se": se, "n": len(values)}


def aggregate(results: Sequence[Scores]) -> dict[str, dict[str, float | int | None]]:
    """Mean, standard error (sample sd / sqrt n; None for one episode) and episode count ``n``
    of each axis, the composite, accuracy and abstention over episodes.

    An axis is averaged over the episodes that have it; episodes with no scored question are
    left out of composite and accuracy; abstention over the episodes that have any.
    """
    series: dict[str, list[float]] = {name: [] for name in (*WEIGHTS, "composite", "accuracy")}
    series["abstention"] = []
    for result in results:
        for name, value in result.axes.items():
            series.setdefault(name, []).append(value)
        if result.questions:
            series["composite"].append(result.composite)
            series["accuracy"].append(result.accuracy)
        if result.abstention is not None:
            series["abstention"].append(result.abstention)
    return {name: _summary(values) for name, values in series.items() if values}
