"""Writing the ordered stream out as a Scenario: texts, steps, fact ids, questions in place.

Facts get their ids (``f0``, ``f1``, ... in stream order) and steps from the event that first
states them; a question goes right after the ``p`` items it was drawn at; with sessions, a session
marker opens each of the equal parts the stream is cut into.
"""

from __future__ import annotations

import random as _random
from typing import Any

from memgym.tracks.entities import memos, render
from memgym.tracks.entities.draft import Draft
from memgym.tracks.entities.fast import build_event, construct, gold_question, state
from memgym.tracks.entities.mix import AXIS_OF
from memgym.tracks.entities.stream import CHANGE, DOC, Timeline
from memgym.tracks.entities.world import CORRECTION, World
from memgym.types import Event, Fact, GoldQuestion, Scenario


def _question(draft: Draft, number: int) -> GoldQuestion:
    return gold_question(draft, number, AXIS_OF[draft.kind], draft.tolerance)


def assemble(
    rng: _random.Random,
    seed: int,
    params: dict[str, Any],
    world: World,
    timeline: Timeline,
    drafts: list[Draft],
    brief: str,
) -> Scenario:
    """The scenario: every item rendered in order, questions and session markers in place."""
    style = params["doc_style"]
    items = timeline.items
    asked: dict[int, list[Draft]] = {}
    for draft in sorted(drafts, key=lambda d: d.p):
        asked.setdefault(draft.p, []).append(draft)
    sessions = params["sessions"]
    starts = (
        {round(j * len(items) / sessions): j + 1 for j in range(sessions)} if sessions > 1 else {}
    )
    events: list[Event] = []
    facts: list[Fact] = []
    questions = 0
    for idx, (kind, index) in enumerate(items):
        if idx in starts:
            events.append(
                build_event(
                    len(events), "session", f"Session {starts[idx]} of {sessions} begins.", []
                )
            )
        step = len(events)
        if kind == DOC:
            event_kind = "document"
            text, stated = render.document(rng, world, index, style)
        elif kind == CHANGE:
            change = world.changes[index]
            event_kind = change.kind
            if change.kind == CORRECTION:
                text, stated = render.correction(rng, world, change)
            else:
                text, stated = render.update(rng, world, change, style)
        else:
            event_kind, text, stated = "distractor", memos.memo(rng, world.names), []
        events.append(build_event(step, event_kind, text, state(stated, facts, step)))
        for draft in asked.get(idx + 1, ()):
            question = _question(draft, questions)
            questions += 1
            events.append(build_event(len(events), "question", question.text, [], question))
    return construct(
        Scenario,
        {
            "track": "entities",
            "seed": seed,
            "params": params,
            "brief": brief,
            "facts": facts,
            "events": events,
            "filler": {},
        },
    )
