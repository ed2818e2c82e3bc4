"""Laying the research turns out as a stream: blocks, filler gaps, steps, fact ids, questions.

Each task is a run of blocks: one page per turn (its chain entity's result among its siblings'
results, shuffled, sometimes with a filler page inside), the erratum of a corrected link after a
page between the link's own turn and the first question that follows it, and its questions (the
intermediate one after the prefix's last page, the final one after the last page, each at a
drawn delay: when ``n`` pages have been shown, it waits until ``(n + QUESTION_GAP) / u`` have,
``u`` uniform in (0, 1], so its last page sits at a uniformly drawn fraction of the pages before
it, and many wait until the end; all at the end with ``question_placement="end"``). Filler pages fill the gaps between blocks; the core events
keep their final step numbers and the filler is generated on demand by the track's ``stream``.
Facts get ids (``f0``, ``f1``, ... in stream order) and steps from the event that first states
them.
"""

from __future__ import annotations

import random as _random
from itertools import pairwise
from typing import Any

from memgym.tokens import total_tokens
from memgym.tracks.entities.fast import build_event, construct, gold_question, new_fact, state
from memgym.tracks.research import filler, render
from memgym.tracks.research.blind import ONCE_ROOM, ROOM, Insert, guard
from memgym.tracks.research.blocks import Block, Core
from memgym.tracks.research.questions import Draft, draft
from memgym.tracks.research.schema import FIELDS, RELATIONS
from memgym.tracks.research.world import World, link_targets
from memgym.types import Event, Fact, GoldQuestion, Scenario

QUESTION_GAP = 4
"""Task pages shown between a question and the last page it needs (other tasks' pages, or
revisits of earlier ones at the end), so no reader of the last few pages can answer it."""
INPAGE_FILLER = 0.5
"""Chance that a page holds one unrelated result among its own."""
DECOY_ERRATA = 20
"""Errata about links no question follows for each one about the chain (``corrections``),
worded alike and shown as they are, so that an erratum is not evidence by its form: every
erratum was evidence before; with these, research lite's errata are 1.4 times as likely to be
evidence as the other events (bench/studies/evidence_surface.py)."""
FILLER_SEED_BITS = 40
LOOKALIKE_KIND = "document"


def _page(rng: _random.Random, world: World, t: int, turn: int, style: str) -> Block:
    task = world.tasks[t]
    search = render.query(task, world, turn)
    chosen = render.pick_style(rng, style)
    block: Block = []
    text, stated = render.result(rng, search, world.entities[task.chain[turn]], chosen)
    block.append(Core("document", text, stated))
    for s in task.siblings[turn]:
        text, stated = render.result(rng, search, world.entities[s], chosen)
        block.append(Core("distractor", text, stated))
    render.shuffle(rng.getrandbits, block)
    return block


def _blocks(rng: _random.Random, world: World, p: dict[str, Any]) -> list[Block]:
    random = rng.random
    style = p["doc_style"]
    end = p["question_placement"] == "end"
    blocks: list[Block] = []
    pending: list[Draft] = []
    """Questions waiting until ``QUESTION_GAP`` pages follow the last one stating evidence."""
    shown: list[Core] = []
    """Every page (task result or erratum) shown so far, in order."""
    stated_at: dict[int, int] = {}
    """id of a fact -> the index in ``shown`` of the last page stating it."""
    due: dict[int, float] = {}
    """id of a waiting question -> the pages that must be shown before it comes (its delay)."""

    def show(core: Core) -> None:
        for f in core.stated:
            stated_at[id(f)] = len(shown)
        shown.append(core)

    def release() -> None:
        if end:
            return
        for d in list(pending):
            if any(id(f) not in stated_at for f in d.evidence):
                continue
            last = max(stated_at[id(f)] for f in d.evidence)
            if len(shown) - 1 - last >= QUESTION_GAP and len(shown) >= due[id(d)]:
                blocks.append([Core("question", d.text, [], d)])
                pending.remove(d)

    decoy_errata = _decoy_errata(rng, world, DECOY_ERRATA * p["corrections"])
    for t, task in enumerate(world.tasks):
        prefix_turn = task.prefix - 1 if task.prefix else -1
        fix_after = -1
        if task.fix is not None:
            needed_by = prefix_turn if 0 <= task.fix.turn < task.used(True) else task.hops - 1
            fix_after = task.fix.turn + int(random() * (needed_by - task.fix.turn + 1))
        for turn in range(task.hops):
            block = _page(rng, world, t, turn, style)
            blocks.append(block)
            for c in block:
                if c is not None and c.kind == "document":
                    show(c)
            release()
            if turn == fix_after and task.fix is not None:
                fix = Core(
                    "correction", render.erratum(task.fix.right, task.fix.wrong), [task.fix.right]
                )
                blocks.append([fix])
                show(fix)
                release()
            for text, fact in decoy_errata.get((t, turn), ()):
                blocks.append([Core("correction", text, [fact])])
            for d in _drafts(world, t, turn, prefix_turn):
                due[id(d)] = (len(shown) + QUESTION_GAP) / max(random(), 1e-9)
                pending.append(d)
    # The last questions have no later task's pages to wait behind: earlier pages are shown
    # again (a revisit restates facts, never a link an erratum corrected since nor the asked
    # fact of a waiting question, whose count it would raise), and never so that the last
    # QUESTION_GAP pages hold a waiting question's whole evidence.
    wrong = {id(t.fix.wrong) for t in world.tasks if t.fix is not None}
    asked = {id(d.evidence[-1]) for d in pending}
    revisits = [
        c
        for c in shown
        if c.kind == "document" and not any(id(f) in wrong or id(f) in asked for f in c.stated)
    ]
    needs = [{id(f) for f in d.evidence} for d in pending]
    held: set[int] = set()
    for _ in range(QUESTION_GAP):
        while revisits:
            page = revisits.pop(int(random() * len(revisits)))
            more = held | {id(f) for f in page.stated}
            if not any(need <= more for need in needs):
                held = more
                blocks.append([Core("document", page.text, list(page.stated))])
                break
    blocks += [[Core("question", d.text, [], d)] for d in pending]
    return blocks


def _decoy_errata(
    rng: _random.Random, world: World, count: int
) -> dict[tuple[int, int], list[tuple[str, Fact]]]:
    """Up to ``count`` errata about links no question follows, by the (task, turn) whose page
    they follow: a relation of a result on a task's page (a sibling's, or the chain entity's
    own but for the link its task follows) corrected to another entity of its type, shown after
    a page of the same task drawn from that page's turn on (as a chain erratum is)."""
    random = rng.random
    entities = world.entities
    spots = [
        (t, turn, e, f.name)
        for t, task in enumerate(world.tasks)
        for turn in range(task.hops)
        for e in (task.chain[turn], *task.siblings[turn])
        for f in RELATIONS[entities[e].kind]
        if not (e == task.chain[turn] and f.name == task.turn_field(turn))
    ]
    pools = link_targets(world)
    out: dict[tuple[int, int], list[tuple[str, Fact]]] = {}
    for _ in range(min(count, len(spots))):
        t, turn, e, rel = spots.pop(int(random() * len(spots)))
        was = entities[e].facts[rel]
        pool = [n for n in pools.get(FIELDS[rel].target, ()) if n != was.value]
        if not pool:
            continue
        right = new_fact(entities[e].name, rel, pool[int(random() * len(pool))])
        after = turn + int(random() * (world.tasks[t].hops - turn))
        out.setdefault((t, after), []).append((render.erratum(right, was), right))
    return out


def _drafts(world: World, t: int, turn: int, prefix_turn: int) -> list[Draft]:
    """The questions of task ``t`` whose evidence is complete after its turn ``turn``."""
    out = [draft(world, t, True)] if turn == prefix_turn else []
    return out + ([draft(world, t, False)] if turn == world.tasks[t].hops - 1 else [])


def _merge(blocks: list[Block], added: list[Insert]) -> list[Block]:
    """``blocks`` with each look-alike of the entity-blind guard as a block of its own."""
    if not added:
        return blocks
    out: list[Block] = []
    k = 0
    for i, block in enumerate(blocks):
        while k < len(added) and added[k][0] < i:
            text, stated = added[k][1]
            out.append([Core(LOOKALIKE_KIND, text, stated)])
            k += 1
        out.append(block)
    out += [[Core(LOOKALIKE_KIND, *decoy)] for _, decoy in added[k:]]
    return out


def _gaps(rng: _random.Random, count: int, gaps: int) -> list[int]:
    """``count`` filler pages spread over ``gaps`` gaps at random (a uniform composition)."""
    cuts = sorted(int(rng.random() * (count + 1)) for _ in range(gaps - 1))
    bounds = [0, *cuts, count]
    return [b - a for a, b in pairwise(bounds)]


def _question(d: Draft, number: int) -> GoldQuestion:
    return gold_question(d, number, d.axis, 0.0)


def assemble(
    rng: _random.Random, seed: int, p: dict[str, Any], world: World, brief: str
) -> Scenario:
    """The scenario: core events at their final steps, the filler plan for the gaps."""
    blocks = _blocks(rng, world, p)
    core_tokens = total_tokens(c.text for b in blocks for c in b if c is not None)
    room = int(p["target_tokens"] * ROOM) - core_tokens
    wide = int(p["target_tokens"] * ONCE_ROOM) - core_tokens
    added, added_tokens = guard(rng, world, blocks, p["doc_style"], room, wide, p["spread"])
    blocks = _merge(blocks, added)
    core_tokens += added_tokens  # counts add up over texts: each text counted once
    filler_seed = int(rng.random() * (1 << FILLER_SEED_BITS))
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
            ids = state(core.stated, facts, step)
            question = None
            if core.question is not None:
                question = _question(core.question, questions)
                questions += 1
            events.append(build_event(step, core.kind, core.text, ids, question))
            step += 1
    return construct(
        Scenario,
        {
            "track": "research",
            "seed": seed,
            "params": p,
            "brief": brief,
            "facts": facts,
            "events": events,
            "filler": {"total_steps": step, "seed": filler_seed, "pages": total_filler},
        },
    )
