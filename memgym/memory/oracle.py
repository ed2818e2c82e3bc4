"""The ``oracle`` memory: exactly the question's evidence facts, the ceiling of the isolated score.

It is a reference memory (``memgym.memory.reference``): the evaluator binds it to the scenario's
gold on its own side, and at a question it shows the brief and the evidence facts as canonical
note lines (in stream order), nothing else. With the
scripted reasoner it answers every question right; with an LLM it measures the reasoning ceiling.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from memgym.claims import Claim, format_value, render_claims
from memgym.memory.reference import ReferenceMemory
from memgym.memory.registry import register_memory
from memgym.tracks.base import Track
from memgym.types import Event, Fact, Message, Question, Scenario, View


@register_memory("oracle")
class OracleMemory(ReferenceMemory):
    """Shows each question's gold evidence and nothing else."""

    name = "oracle"

    def __init__(self, track: Track) -> None:
        self.facts: dict[str, Fact] = {}
        self.evidence: dict[str, list[str]] = {}
        self.brief = ""

    def bind(self, scenario: Scenario) -> None:
        self.facts = scenario.fact_index()
        self.evidence = {q.id: list(q.evidence) for q in scenario.questions}

    def reset(self, brief: str, params: Mapping[str, Any]) -> None:
        self.brief = brief

    def observe(self, event: Event) -> None:
        return None

    def recall(self, question: Question) -> View:
        messages = [Message(role="system", content=self.brief)]
        try:
            evidence = self.evidence[question.id]
        except KeyError:
            raise ValueError(
                f"oracle: {question.id} is not a question of the bound scenario; "
                "was bind(scenario) called?"
            ) from None
        notes = evidence_notes(question.id, evidence, self.facts)
        if notes:
            messages.append(Message(role="user", content=notes))
        return View(messages=messages)


def evidence_notes(question_id: str, evidence: list[str], facts: Mapping[str, Fact]) -> str:
    """The evidence facts as note lines, oldest first (so later values win)."""
    try:
        found = [facts[f] for f in evidence]
    except KeyError as exc:
        raise ValueError(
            f"oracle: evidence {exc.args[0]!r} of {question_id} is not a fact of the scenario"
        ) from None
    found.sort(key=lambda f: f.step)
    return render_claims(Claim(f.entity, f.attribute, format_value(f.value)) for f in found)
