"""Chain questions: the spec, text, evidence and gold of each task's final and intermediate question.

A question follows its task's chain from the start entity through ``relations`` and ends at an
attribute or a name. Its evidence is the link facts as they stand when it is asked (the erratum's
fact for a corrected link: the stream always fixes a link before a question follows it) plus the
final attribute fact. The gold is ``memgym.query.evaluate`` over a table of exactly those facts,
checked against the world's own chain.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from memgym.claims import Claim
from memgym.query import Table, evaluate
from memgym.tracks.research import render
from memgym.tracks.research.world import Task, World, value_of
from memgym.types import AnswerType, Axis, Fact, QuestionKind

AXIS_OF: dict[str, Axis] = {
    "multi_hop": "reasoning",
    "intermediate_hop": "breadth",
    "post_correction": "maintenance",
}


@dataclass(slots=True)
class Draft:
    """A question before it has an id and evidence ids."""

    task: int
    intermediate: bool
    kind: QuestionKind
    spec: dict[str, Any]
    text: str
    evidence: list[Fact]
    gold: int | str
    answer_type: AnswerType

    @property
    def axis(self) -> Axis:
        return AXIS_OF[self.kind]


def draft(world: World, t: int, intermediate: bool) -> Draft:
    """Task ``t``'s intermediate (prefix) or final question."""
    task: Task = world.tasks[t]
    entities = world.entities
    if intermediate:
        attribute = task.prefix_attribute
        relations = task.relations[: task.used(True)]
    else:
        attribute = task.attribute
        relations = task.relations
    evidence = [entities[task.chain[i]].facts[rel] for i, rel in enumerate(relations)]
    if task.fix is not None and task.fix.turn < len(relations):
        evidence[task.fix.turn] = task.fix.right
    if attribute is not None:
        end = entities[task.chain[len(relations)]]
        evidence.append(end.facts[attribute])
        truth: int | str = value_of(end.facts[attribute])
    elif len(relations) < len(task.chain):
        truth = entities[task.chain[len(relations)]].name
    else:
        truth = entities[task.answer].name
    start = entities[task.chain[0]].name
    spec: dict[str, Any] = {"op": "chain", "entity": start, "relations": list(relations)}
    if attribute is not None:
        spec["attribute"] = attribute
    table = Table.from_claims(Claim(f.entity, f.attribute, str(f.value)) for f in evidence)
    gold = evaluate(spec, table)
    if gold != str(truth):  # the world's chain and the query language must agree
        raise AssertionError(f"research: chain gold {gold!r} disagrees with the world ({truth!r})")
    corrected = task.fix is not None and task.fix.turn < len(relations)
    kind: QuestionKind = (
        "post_correction" if corrected else "intermediate_hop" if intermediate else "multi_hop"
    )
    return Draft(
        task=t,
        intermediate=intermediate,
        kind=kind,
        spec=spec,
        text=render.question_text(world, start, list(relations), attribute),
        evidence=evidence,
        gold=truth,
        answer_type="int" if attribute is not None else "text",
    )
