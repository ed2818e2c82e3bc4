"""Shared builders for the scoring tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from memgym.types import AnswerRecord, GoldQuestion

QUESTION_TEXT = {
    "int": "How many employees does Vantor Labs have?",
    "float": "What is the revenue of Vantor Labs in million USD?",
    "text": "Which company is the partner of Vantor Labs?",
    "set": "Which companies are based in Oslo?",
    "name_value": "Which has the higher revenue, Vantor Labs or Quell Systems?",
    "abstain": "What is the founding year of Orrin Dynamics?",
}


@pytest.fixture(scope="session")
def make_question() -> Callable[..., GoldQuestion]:
    """A factory for real questions: ``make_question(answer_type, answer, tolerance=0.0)``."""

    def build(answer_type: str, answer: Any, tolerance: float = 0.0, **fields: Any) -> GoldQuestion:
        values: dict[str, Any] = {
            "id": f"q-{answer_type}",
            "kind": "retrieval",
            "axis": "abstention" if answer_type == "abstain" else "breadth",
            "text": QUESTION_TEXT[answer_type],
            "spec": {"op": "value", "entity": "Vantor Labs", "attribute": "x"},
            "answer": answer,
            "answer_type": answer_type,
            "tolerance": tolerance,
        }
        values.update(fields)
        return GoldQuestion(**values)

    return build


@pytest.fixture(scope="session")
def make_answer() -> Callable[..., AnswerRecord]:
    """A factory for answer records: ``make_answer(axis, correct, status="ok")``."""

    def build(axis: str, correct: bool, status: str = "ok") -> AnswerRecord:
        kind = "abstention" if axis == "abstention" else "retrieval"
        return AnswerRecord(
            question_id=f"{axis}-{correct}",
            kind=kind,
            axis=axis,
            answer="x",
            correct=correct,
            status=status,
        )

    return build
