"""Plugins written as a submitter with bad intent would: each tries to reach the gold.

Imported by the worker (``memgym run --plugin tests.run.redteam_plugins``) and, to show each
attack is real, in the test process too. Every thief answers a question with the gold it found,
or "" when it found none.

- ``frames``: walks the caller's stack frames (the episode loop holds the ``GoldQuestion``);
- ``gc``: searches every object the garbage collector tracks for a live ``Scenario``;
- ``globals``: reads ``memgym.types._HASHES`` (weak references to every live scenario);
- ``replay``: regenerates the public seeds 0-19 of the track and matches the question's text;
- ``salt_reader``: looks for the salt in its environment, the salt file and every process's
  environment under ``/proc``, and answers with it;
- ``prepare_thief`` (a memory): overrides the old ``Memory.prepare(scenario)`` hook, and
  ``bound_thief`` subclasses ``ReferenceMemory``; both show the gold they were handed in the view,
  which the ``view_reader`` reasoner answers with;
- ``mutator`` (a memory): rewrites every event and question it is handed, and every live
  scenario it can reach, in place.
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from memgym import types as memgym_types
from memgym.memory.full import full
from memgym.memory.none import NoMemory
from memgym.memory.reference import ReferenceMemory
from memgym.memory.registry import register_memory
from memgym.reasoners.base import Reasoner, register_reasoner
from memgym.tracks.base import Track
from memgym.types import Event, GoldQuestion, Message, Question, Scenario, View

REPLAY_SEEDS = 20


def gold_text(gold: GoldQuestion) -> str:
    """The gold as answer text (what a perfect reader would say)."""
    value = gold.answer
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)


def matching(golds: Iterator[GoldQuestion], question: Question) -> str:
    """The gold of the first question with ``question``'s id and text."""
    for gold in golds:
        if gold.id == question.id and gold.text == question.text:
            return gold_text(gold)
    return ""


def scenario_golds(scenarios: Iterator[Scenario]) -> Iterator[GoldQuestion]:
    for scenario in scenarios:
        yield from scenario.questions


def frame_golds() -> Iterator[GoldQuestion]:
    frame = sys._getframe()
    while frame is not None:
        for value in list(frame.f_locals.values()):
            if isinstance(value, GoldQuestion):
                yield value
            elif isinstance(value, Scenario):
                yield from value.questions
        frame = frame.f_back  # type: ignore[assignment]


class Thief(Reasoner):
    """A reasoner answering with stolen gold."""

    name = "thief"

    def __init__(self, track: Track) -> None:
        self.track = track

    def steal(self, question: Question) -> str:
        raise NotImplementedError

    def answer(self, question: Question, view: View) -> str:
        return self.steal(question)


@register_reasoner("frames")
class Frames(Thief):
    name = "frames"

    def steal(self, question: Question) -> str:
        return matching(frame_golds(), question)


@register_reasoner("gc")
class GcThief(Thief):
    name = "gc"

    def steal(self, question: Question) -> str:
        live = (o for o in gc.get_objects() if isinstance(o, Scenario))
        return matching(scenario_golds(live), question)


@register_reasoner("globals")
class GlobalsThief(Thief):
    name = "globals"

    def steal(self, question: Question) -> str:
        refs = [hit[0] for hit in list(memgym_types._HASHES.values())]
        live = (s for s in (ref() for ref in refs) if s is not None)
        return matching(scenario_golds(live), question)


@register_reasoner("replay")
class Replay(Thief):
    """Regenerates the public seeds with the params it was given and matches the text."""

    name = "replay"

    def reset(self, brief: str, params: Mapping[str, Any]) -> None:
        super().reset(brief, params)
        overrides = {k: v for k, v in params.items() if k != "tier"}
        self.golds = [
            q
            for seed in range(REPLAY_SEEDS)
            for q in self.track.generate(seed, params.get("tier"), **overrides).questions
        ]

    def steal(self, question: Question) -> str:
        return matching(iter(self.golds), question)


@register_reasoner("salt_reader")
class SaltReader(Thief):
    """Answers with any salt it can find."""

    name = "salt_reader"

    def steal(self, question: Question) -> str:
        found = [os.environ.get("MEMGYM_SALT", ""), os.environ.get("MEMGYM_SALT_FILE", "")]
        for environ in Path("/proc").glob("[0-9]*/environ"):
            try:
                found += [v for v in environ.read_bytes().split(b"\0") if b"MEMGYM_SALT" in v]
            except OSError:
                continue
        return " ".join(str(f) for f in found if f)


@register_memory("prepare_thief")
class PrepareThief(NoMemory):
    """The old privileged hook, overridden: shows the gold it was handed."""

    name = "prepare_thief"

    def __init__(self, track: Track) -> None:
        super().__init__(track)
        self.golds: dict[str, str] = {}

    def prepare(self, scenario: Scenario) -> None:
        self.golds = {q.id: gold_text(q) for q in scenario.questions}

    def recall(self, question: Question) -> View:
        gold = self.golds.get(question.id, "")
        return View(messages=[Message(role="user", content=f"ANSWER: {gold}")])


@register_memory("bound_thief")
class BoundThief(ReferenceMemory, PrepareThief):
    """Claims to be a reference memory, to be handed the scenario."""

    name = "bound_thief"

    def bind(self, scenario: Scenario) -> None:
        self.prepare(scenario)


@register_reasoner("view_reader")
class ViewReader(Reasoner):
    """Answers with what follows ``ANSWER:`` in the view."""

    name = "view_reader"

    def __init__(self, track: Track) -> None:
        pass

    def answer(self, question: Question, view: View) -> str:
        return view.text().partition("ANSWER: ")[2].strip()


@register_memory("mutator")
def mutator(track: Track) -> Any:
    """``full``, but it rewrites what it is handed and every scenario it can reach."""
    inner = full(track)
    observe, recall = inner.observe, inner.recall

    def spoil(event: Event) -> None:
        observe(event)
        event.text = "nothing to see"
        event.facts.clear()
        for scenario in [o for o in gc.get_objects() if isinstance(o, Scenario)]:
            for e in scenario.events:
                e.text = "nothing to see"

    def spoil_question(question: Question) -> View:
        question.spec["rewritten"] = True
        return recall(question)

    inner.observe = spoil  # type: ignore[method-assign]
    inner.recall = spoil_question  # type: ignore[method-assign]
    inner.name = "mutator"
    return inner
