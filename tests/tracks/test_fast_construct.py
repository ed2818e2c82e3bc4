"""The generators' unvalidated model building gives the same objects validation would."""

import pytest
from pydantic import ValidationError

from memgym.tracks.entities.fast import builder, construct, new_fact, state
from memgym.types import Event, Fact, GoldQuestion, Scenario

QUESTION = {
    "id": "q0",
    "kind": "retrieval",
    "axis": "breadth",
    "text": "What is it?",
    "spec": {"op": "value", "entity": "A", "attribute": "x"},
    "answer": 3,
    "answer_type": "int",
    "tolerance": 0.0,
    "evidence": ["f0"],
}


def _same(built, validated) -> None:
    assert type(built) is type(validated)
    assert built == validated
    assert built.model_dump_json() == validated.model_dump_json()
    assert built.model_fields_set == validated.model_fields_set


def test_construct_and_builder_match_validation_for_every_generated_model():
    fact = {"id": "f0", "entity": "A", "attribute": "x", "value": 1.5, "step": 0}
    _same(construct(Fact, dict(fact)), Fact.model_validate(fact))
    _same(builder(Fact)(dict(fact)), Fact.model_validate(fact))
    _same(construct(GoldQuestion, dict(QUESTION)), GoldQuestion.model_validate(QUESTION))
    event = {"step": 2, "kind": "question", "text": "What is it?", "facts": []}
    built_event = construct(Event, {**event, "question": construct(GoldQuestion, dict(QUESTION))})
    _same(built_event, Event.model_validate({**event, "question": QUESTION}))
    scenario = {
        "track": "t",
        "seed": 1,
        "params": {"tier": "lite"},
        "brief": "b",
        "facts": [construct(Fact, dict(fact))],
        "events": [built_event],
        "filler": {},
    }
    built = construct(Scenario, scenario)
    _same(built, Scenario.model_validate_json(built.model_dump_json()))


def test_a_built_fact_is_frozen_and_hashes_like_a_validated_one():
    values = {"id": "f0", "entity": "A", "attribute": "x", "value": 1, "step": 0}
    fact = builder(Fact)(dict(values))
    with pytest.raises(ValidationError):
        fact.step = 4
    assert hash(fact) == hash(Fact.model_validate(values))


def test_facts_get_ids_and_steps_in_the_order_they_are_first_stated():
    a, b, c = (new_fact("A", attr, 1) for attr in ("x", "y", "z"))
    assert a.id == "" and a.step == -1
    facts: list[Fact] = []
    assert state([b, a], facts, 3) == ["f0", "f1"]
    assert state([c, b], facts, 7) == ["f2", "f0"]  # b keeps its id and its first step
    assert facts == [b, a, c]
    assert [(f.id, f.step) for f in facts] == [("f0", 3), ("f1", 3), ("f2", 7)]
    # the values stay in field order, so the JSON is what a validated fact writes
    _same(c, Fact(id="f2", entity="A", attribute="z", value=1, step=7))
