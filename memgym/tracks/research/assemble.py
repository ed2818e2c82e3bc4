"""Laying the research turns out as a stream: blocks, filler gaps, steps, fact ids, questions.

Each task is a run of blocks: one page per turn (its chain entity's result among its siblings'
results, shuffled, sometimes with a filler page inside), the erratum of a corrected link after a
page between the link's own turn and the first question that follows it, and its questions (the
intermediate one after the prefix's last page, the final one after the last page; all at the end
with ``question_placement="end"``). Filler pages fill the gaps between blocks; the core events
keep their final step numbers and the filler is generated on demand by the track's ``stream``.
Facts get ids (``f0``, ``f1``, ... in stream order) and steps from the event that first states
them.
"""

from __future__ import annotations

import random as _random
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from memgym.tokens import count_tokens
from memgym.tracks.entities.fast import construct
from memgym.tracks.research import filler, render
from memgym.tracks.research.questions import Draft, draft
from memgym.tracks.research.world import FactRec, World
from memgym.types import Event, Fact, GoldQuestion, Scenario

INPAGE_FILLER = 0.5
"""Chance that a page holds one unrelated result among its own."""
FILLER_SEED_BITS = 40


@dataclass(slots=True)
class Core:
    """One core event before it has a step."""

    kind: str
    text: str
    stated: list[FactRec] = field(default_factory=list)
    question: Draft | None = None


Block = list[Core | None]
"""Consecutive core events; None marks a filler page inside the block."""


def _style(rng: _random.Random, style: str) -> str:
    if style == "mixed":
        return render.KV if rng.random() < 0.5 else render.NARRATIVE
    return style


def _page(rng: _random.Random, world: World, t: int, turn: int, style: str) -> Block:
    task = world.tasks[t]
    search = render.query(task, world, turn)
    chosen = _style(rng, style)
    block: Block = []
    text, stated = render.result(rng, search, world.entities[task.chain[turn]], chosen)
    block.append(Core("document", text, stated))
    for s in task.siblings[turn]:
        text, stated = render.result(rng, search, world.entities[s], chosen)
        block.append(Core("distractor", text, stated))
    rng.shuffle(block)
    return block


def _blocks(rng: _random.Random, world: World, p: dict[str, Any]) -> list[Block]:
    random = rng.random
    style = p["doc_style"]
    end = p["question_placement"] == "end"
    blocks: list[Block] = []
    at_end: list[Block] = []
    for t, task in enumerate(world.tasks):
        prefix_turn = task.prefix - 1 if task.prefix else -1
        fix_after = -1
        if task.fix is not None:
            needed_by = prefix_turn if 0 <= task.fix.turn < task.used(True) else task.hops - 1
            fix_after = task.fix.turn + int(random() * (needed_by - task.fix.turn + 1))
        for turn in range(task.hops):
            blocks.append(_page(rng, world, t, turn, style))
            if turn == fix_after and task.fix is not None:
                blocks.append(
                    [
                        Core(
                            "correction",
                            render.erratum(task.fix.right, task.fix.wrong),
                            [task.fix.right],
                        )
                    ]
                )
            asked: list[Draft] = []
            if turn == prefix_turn:
                asked.append(draft(world, t, True))
            if turn == task.hops - 1:
                asked.append(draft(world, t, False))
            for d in asked:
                (at_end if end else blocks).append([Core("question", d.text, [], d)])
    return blocks + at_end


def _gaps(rng: _random.Random, count: int, gaps: int) -> list[int]:
    """``count`` filler pages spread over ``gaps`` gaps at random (a uniform composition)."""
    cuts = sorted(int(rng.random() * (count + 1)) for _ in range(gaps - 1))
    bounds = [0, *cuts, count]
    return [b - a for a, b in pairwise(bounds)]


def _question(d: Draft, number: int) -> GoldQuestion:
    return GoldQuestion(
        id=f"q{number}",
        kind=d.kind,
        axis=d.axis,
        text=d.text,
        spec=d.spec,
        answer=d.gold,
        answer_type=d.answer_type,
        evidence=[f.id for f in d.evidence],
    )


def assemble(
    rng: _random.Random, seed: int, p: dict[str, Any], world: World, brief: str
) -> Scenario:
    """The scenario: core events at their final steps, the filler plan for the gaps."""
    blocks = _blocks(rng, world, p)
    filler_seed = int(rng.random() * (1 << FILLER_SEED_BITS))
    core_tokens = sum(count_tokens(c.text) for b in blocks for c in b if c is not None)
    total_filler = filler.filler_count(p["target_tokens"], core_tokens)
    inside = 0
    for block in blocks:
        if len(block) > 1 and inside < total_filler and rng.random() < INPAGE_FILLER:
            block.insert(1 + int(rng.random() * (len(block) - 1)), None)
            inside += 1
    gaps = _gaps(rng, total_filler - inside, len(blocks))
    events: list[Event] = []
    facts: list[Fact] = []
    step = 0
    questions = 0
    for gap, block in zip(gaps, blocks):
        step += gap
        for core in block:
            if core is None:
                step += 1
                continue
            ids = []
            for fact in core.stated:
                if not fact.id:
                    fact.id, fact.step = f"f{len(facts)}", step
                    facts.append(
                        construct(
                            Fact,
                            {
                                "id": fact.id,
                                "entity": fact.entity,
                                "attribute": fact.attribute,
                                "value": fact.value,
                                "step": step,
                            },
                        )
                    )
                ids.append(fact.id)
            question = None
            if core.question is not None:
                question = _question(core.question, questions)
                questions += 1
            events.append(
                construct(
                    Event,
                    {
                        "step": step,
                        "kind": core.kind,
                        "text": core.text,
                        "facts": ids,
                        "question": question,
                    },
                )
            )
            step += 1
    return Scenario(
        track="research",
        seed=seed,
        params=p,
        brief=brief,
        facts=facts,
        events=events,
        filler={"total_steps": step, "seed": filler_seed, "pages": total_filler},
    )
