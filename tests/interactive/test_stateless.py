"""Stateless agents by contract: an agent's private notes die with its turn, and notes kept on
its class or module fail the run (``memgym.interactive.stateless``)."""

from __future__ import annotations

import copy
import re
import types
from collections.abc import Sequence
from typing import Any, ClassVar

import tests.interactive.world as world_module
from memgym.interactive.agents import ContextAgent, PlanCursor, visible_text
from memgym.interactive.cheats import SelfCopyList
from memgym.interactive.episode import evaluate_interactive
from memgym.interactive.registry import make_agent
from memgym.interactive.snapshot import library_module
from memgym.interactive.stateless import FreshAgents
from memgym.tracks.session import AgentTurn, ChatMessage
from tests.interactive.world import CodesTrack

MODULE_NOTES: list[str] = []


class InstanceNotes(ContextAgent):
    """The context agent that also keeps every view it saw in a dict of its own."""

    name = "instance-notes"

    def __init__(self) -> None:
        self.notes: dict[int, str] = {}

    def act(self, messages: Sequence[ChatMessage], tools: Sequence[dict[str, Any]]) -> AgentTurn:
        self.notes[len(self.notes)] = visible_text(messages)
        return super().act(messages, tools)

    def can_make(self, needs: tuple[str, ...], visible: str) -> bool:
        seen = visible + "\n".join(self.notes.values())
        return all(n in seen for n in needs)


class ClassNotes(InstanceNotes):
    """The same notes, kept on the class."""

    name = "class-notes"
    shared: ClassVar[dict[int, str]] = {}

    def act(self, messages: Sequence[ChatMessage], tools: Sequence[dict[str, Any]]) -> AgentTurn:
        ClassNotes.shared[len(ClassNotes.shared)] = visible_text(messages)
        self.notes = ClassNotes.shared
        return ContextAgent.act(self, messages, tools)


class ModuleNotes(InstanceNotes):
    """The same notes, kept in a global of its module."""

    name = "module-notes"

    def act(self, messages: Sequence[ChatMessage], tools: Sequence[dict[str, Any]]) -> AgentTurn:
        MODULE_NOTES.append(visible_text(messages))
        self.notes = dict(enumerate(MODULE_NOTES))
        return ContextAgent.act(self, messages, tools)


def _codes(track: CodesTrack, seed: int) -> list[str]:
    return [re.search(r"K\d{6}", e.text).group(0) for e in track.generate(seed).events]  # type: ignore[union-attr]


def test_private_notes_gain_nothing_over_none(codes_track: CodesTrack) -> None:
    scenario = codes_track.generate(3)
    tasks = len(_codes(codes_track, 3))
    none = evaluate_interactive(codes_track, scenario, "none", "context")
    full = evaluate_interactive(codes_track, scenario, "full", "context")
    notes = evaluate_interactive(codes_track, scenario, "none", InstanceNotes())
    assert full.correct == tasks and none.correct < tasks  # the track needs memory
    # with its notes alive across turns the agent would equal full; a fresh copy per turn
    # leaves it exactly what none sees
    assert notes.correct == none.correct
    assert [a.correct for a in notes.answers] == [a.correct for a in none.answers]


def test_notes_on_the_class_or_module_fail_the_run(codes_track: CodesTrack) -> None:
    scenario = codes_track.generate(3)
    for agent in (ClassNotes(), ModuleNotes()):
        result = evaluate_interactive(codes_track, scenario, "none", agent)
        assert result.correct == 0 and result.composite == 0.0
        assert {a.status for a in result.answers} == {"model_error"}
        assert all("kept state across turns" in (a.error or "") for a in result.answers)
        assert result.usage["turns"] == 1  # stopped at the first turn that kept something


def test_reference_agents_are_stateless_and_their_runs_repeat(codes_track: CodesTrack) -> None:
    scenario = codes_track.generate(5)
    gold = evaluate_interactive(codes_track, scenario, "full", "gold")
    again = evaluate_interactive(codes_track, scenario, "full", "gold")
    assert gold.correct == len(_codes(codes_track, 5))
    assert gold.model_dump_json() == again.model_dump_json()


class Helper:
    """A helper class of this module: its attributes are watched like the agent's own."""

    notes: ClassVar[list[str]] = []


def remembered(text: str, _notes: list[str] = []) -> list[str]:  # noqa: B006 - the attack
    """A helper function keeping notes in its mutable default argument."""
    _notes.append(text)
    return _notes


class DefaultArgumentNotes(InstanceNotes):
    """Notes in a mutable default argument of its own method."""

    name = "default-notes"

    def act(
        self,
        messages: Sequence[ChatMessage],
        tools: Sequence[dict[str, Any]],
        _seen: list[str] = [],  # noqa: B006 - the attack
    ) -> AgentTurn:
        _seen.append(visible_text(messages))
        self.notes = dict(enumerate(_seen))
        return ContextAgent.act(self, messages, tools)


class HelperClassNotes(InstanceNotes):
    """Notes on a helper class of its module (not one of the agent's classes)."""

    name = "helper-class-notes"

    def act(self, messages: Sequence[ChatMessage], tools: Sequence[dict[str, Any]]) -> AgentTurn:
        Helper.notes.append(visible_text(messages))
        self.notes = dict(enumerate(Helper.notes))
        return ContextAgent.act(self, messages, tools)


class HelperFunctionNotes(InstanceNotes):
    """Notes in a helper function's default argument."""

    name = "helper-function-notes"

    def act(self, messages: Sequence[ChatMessage], tools: Sequence[dict[str, Any]]) -> AgentTurn:
        self.notes = dict(enumerate(remembered(visible_text(messages))))
        return ContextAgent.act(self, messages, tools)


class FunctionAttributeNotes(InstanceNotes):
    """Notes on an attribute of its own method's function object."""

    name = "function-attribute-notes"

    def act(self, messages: Sequence[ChatMessage], tools: Sequence[dict[str, Any]]) -> AgentTurn:
        kept = FunctionAttributeNotes.can_make.__dict__.setdefault("kept", [])
        kept.append(visible_text(messages))
        self.notes = dict(enumerate(kept))
        return ContextAgent.act(self, messages, tools)


def test_notes_in_defaults_helpers_and_function_attributes_fail_the_run(
    codes_track: CodesTrack,
) -> None:
    scenario = codes_track.generate(3)
    full = evaluate_interactive(codes_track, scenario, "full", "context")
    assert full.correct == len(_codes(codes_track, 3))
    for agent in (
        DefaultArgumentNotes(), HelperClassNotes(),
        HelperFunctionNotes(), FunctionAttributeNotes(),
    ):  # fmt: skip
        result = evaluate_interactive(codes_track, scenario, "none", agent)
        assert result.correct == 0, agent.name
        assert {a.status for a in result.answers} == {"model_error"}, agent.name
        assert result.usage["turns"] == 1, agent.name


# Issue #67's bypasses of a loop that deep-copied its agent: each turn's agent is now built
# afresh from its recipe, and a module object or an argument holding notes is watched by content.


class SelfCopyNotes(InstanceNotes):
    """Private notes on an agent whose every copy is itself."""

    name = "self-copy-notes"

    def __deepcopy__(self, memo: dict[int, Any]) -> SelfCopyNotes:
        return self


class StickyNotes(ContextAgent):
    """Private notes in a list subclass that deep-copies to itself."""

    name = "sticky-notes"

    def __init__(self) -> None:
        self.notes = SelfCopyList()

    def act(self, messages: Sequence[ChatMessage], tools: Sequence[dict[str, Any]]) -> AgentTurn:
        self.notes.append(visible_text(messages))
        return super().act(messages, tools)

    def can_make(self, needs: tuple[str, ...], visible: str) -> bool:
        seen = visible + "\n".join(self.notes)
        return all(n in seen for n in needs)


NOTEBOOK = types.ModuleType("notebook")
"""A module object made at run time, held by a global of this module."""


class ModuleObjectNotes(StickyNotes):
    """The notes on an attribute of a module object of its module."""

    name = "module-object-notes"

    def __init__(self) -> None:
        self.notes = NOTEBOOK.__dict__.setdefault("kept", [])


class ImportedModuleNotes(StickyNotes):
    """The notes on an attribute of another module of the author's own (not a library's)."""

    name = "imported-module-notes"

    def __init__(self) -> None:
        self.notes = world_module.__dict__.setdefault("kept", [])


class ArgumentNotes(StickyNotes):
    """The notes in the list it was built with (a ``SelfCopyList``: copying keeps it)."""

    name = "argument-notes"

    def __init__(self, notes: list[str]) -> None:
        self.notes = notes


class FreshPatterns(ContextAgent):
    """An honest agent whose every turn compiles a new regular expression (``re``'s cache, a
    library module's data, changes): not state of its own."""

    name = "fresh-patterns"

    def act(self, messages: Sequence[ChatMessage], tools: Sequence[dict[str, Any]]) -> AgentTurn:
        re.search(re.escape(str(len(messages))) + r"\b", visible_text(messages))
        return super().act(messages, tools)


def test_an_agent_or_a_list_that_copies_to_itself_carries_no_notes(
    codes_track: CodesTrack,
) -> None:
    scenario = codes_track.generate(3)
    none = evaluate_interactive(codes_track, scenario, "none", "context")
    full = evaluate_interactive(codes_track, scenario, "full", "context")
    assert none.correct < full.correct
    for agent in (SelfCopyNotes(), StickyNotes(), make_agent("self-copy", codes_track)):
        copied = copy.deepcopy(agent)
        assert copied is agent or copied.notes is agent.notes  # type: ignore[attr-defined]
        result = evaluate_interactive(codes_track, scenario, "none", agent)
        # copied from turn to turn, its notes would equal full; built afresh, it is none
        assert [a.correct for a in result.answers] == [a.correct for a in none.answers], agent
        assert {a.status for a in result.answers} == {"ok"}, agent.name


def test_notes_in_a_module_object_or_an_argument_fail_the_run(codes_track: CodesTrack) -> None:
    scenario = codes_track.generate(3)
    assert not library_module(NOTEBOOK) and not library_module(world_module)
    try:
        for agent in (ModuleObjectNotes(), ImportedModuleNotes(), ArgumentNotes(SelfCopyList())):
            result = evaluate_interactive(codes_track, scenario, "none", agent)
            assert result.correct == 0, agent.name
            assert {a.status for a in result.answers} == {"model_error"}, agent.name
            assert all("kept state across turns" in (a.error or "") for a in result.answers)
            assert result.usage["turns"] == 1, agent.name
    finally:
        NOTEBOOK.__dict__.pop("kept", None)
        world_module.__dict__.pop("kept", None)


def test_a_library_modules_own_cache_is_not_the_agents_state(codes_track: CodesTrack) -> None:
    scenario = codes_track.generate(3)
    assert library_module(re) and library_module(copy)
    full = evaluate_interactive(codes_track, scenario, "full", "context")
    honest = evaluate_interactive(codes_track, scenario, "full", FreshPatterns(codes_track))
    assert honest.correct == full.correct and {a.status for a in honest.answers} == {"ok"}


def test_each_turn_is_built_from_the_recipe_not_copied(codes_track: CodesTrack) -> None:
    agent = make_agent("self-copy", codes_track)
    fresh = FreshAgents(agent, PlanCursor(lambda: None))
    agent.notes.append("kept")  # type: ignore[attr-defined]
    with fresh.turn() as first:
        assert first is not agent and first.notes == []  # type: ignore[attr-defined]
        first.notes.append("kept")  # type: ignore[attr-defined]
    with fresh.turn() as second:
        assert second is not first and second.notes == []  # type: ignore[attr-defined]
