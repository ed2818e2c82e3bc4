"""Writing the core items and questions out as a Scenario with a lazily filled stream.

Core events (chunks, notes, distractors, questions) keep their order and get final step numbers
spread over the whole stream; the steps between them are filler, generated on demand from
(seed, subseed, step). The filler count is planned so the stream's token total lands on
``target_tokens``: (target - core tokens) / mean filler size, the mean taken from a sample.
"""

from __future__ import annotations

import random as _random
from typing import Any

from memgym.tokens import count_tokens
from memgym.tracks.codeqa.filler import mean_filler_tokens
from memgym.tracks.codeqa.questions import AXIS_OF, Draft
from memgym.tracks.codeqa.stream import Item
from memgym.tracks.entities.fast import build_fact, builder, construct, gold_question
from memgym.types import Event, Fact, GoldQuestion, Scenario

_build_event = builder(Event)


def _question(draft: Draft, number: int) -> GoldQuestion:
    return gold_question(draft, number, AXIS_OF[draft.kind], 0.0)


def _core(items: list[Item], drafts: list[Draft]) -> list[Item | Draft]:
    """Items and questions interleaved: a question right after the ``p`` items it was drawn at."""
    asked: dict[int, list[Draft]] = {}
    for draft in drafts:
        asked.setdefault(draft.p, []).append(draft)
    core: list[Item | Draft] = list(asked.get(0, []))
    for idx, item in enumerate(items):
        core.append(item)
        core += asked.get(idx + 1, [])
    return core


def _steps(rng: _random.Random, core: int, fill: int, tail: int) -> list[int]:
    """Final steps of ``core`` events among ``core + fill``, the last ``tail`` of them last."""
    total = core + fill
    spread = sorted(rng.sample(range(total - tail), core - tail)) if core > tail else []
    return spread + list(range(total - tail, total))


def assemble(
    rng: _random.Random,
    seed: int,
    params: dict[str, Any],
    brief: str,
    items: list[Item],
    drafts: list[Draft],
) -> Scenario:
    """The scenario: core events at their final steps, filler planned in ``scenario.filler``."""
    core = _core(items, drafts)
    core_tokens = sum(
        entry.tokens if isinstance(entry, Item) and entry.tokens >= 0 else count_tokens(entry.text)
        for entry in core
    )
    target = params["target_tokens"]
    if core_tokens > target:
        raise ValueError(
            f"target_tokens ({target}) is too small: this repository's code, notes and "
            f"questions alone take {core_tokens} tokens"
        )
    mean = mean_filler_tokens(seed, params["subseed"])
    fill = round((target - core_tokens) / mean)
    tail = 0
    if params["question_placement"] == "end":
        while tail < len(core) and isinstance(core[len(core) - 1 - tail], Draft):
            tail += 1
    steps = _steps(rng, len(core), fill, tail)
    events: list[Event] = []  # built without validation: every value is valid by construction
    facts: list[Fact] = []
    number = 0
    for step, item in zip(steps, core, strict=True):
        if isinstance(item, Item):
            ids = []
            for fact in item.facts:
                fact.id, fact.step = f"f{len(facts)}", step
                facts.append(
                    build_fact(
                        {
                            "id": fact.id,
                            "entity": fact.entity,
                            "attribute": fact.attribute,
                            "value": fact.value,
                            "step": step,
                        }
                    )
                )
                ids.append(fact.id)
            events.append(
                _build_event(
                    {
                        "step": step,
                        "kind": item.kind,
                        "text": item.text,
                        "facts": ids,
                        "question": None,
                    }
                )
            )
        else:
            question = _question(item, number)
            number += 1
            events.append(
                _build_event(
                    {
                        "step": step,
                        "kind": "question",
                        "text": item.text,
                        "facts": [],
                        "question": question,
                    }
                )
            )
    return construct(
        Scenario,
        {
            "track": "codeqa",
            "seed": seed,
            "params": params,
            "brief": brief,
            "facts": facts,
            "events": events,
            "filler": {"total_steps": len(core) + fill, "subseed": params["subseed"]},
        },
    )
