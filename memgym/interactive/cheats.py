"""The no-memory cheat family of interactive tracks, run by ``memgym audit`` under ``none``.

Each is the ``context`` probe with one trick for getting what a task needs without the memory
being measured; on a sound track each gains nothing over ``none`` (``memgym.interactive.gate``):

- ``peek``, the stale-page reader: when a step's needs are not in view it first makes a call
  the world must refuse (the first tool, every argument a nonsense value), to read whatever the
  world still shows beside the error, and takes the step if its needs are now in view;
- ``notes``: keeps private notes of every view on itself (the loop acts each turn with a fresh
  copy, so they are gone at the next turn);
- ``notes-class``: keeps them on its class (the loop's check fails the run);
- ``self-copy``: keeps them on itself, in a list that copies to itself, and copies to itself
  (``__deepcopy__`` returns ``self``): a loop that copied agents from turn to turn would hand
  every turn the same notes; the loop builds each turn's agent afresh from its recipe.

Tracks add their own (``InteractiveTrack.cheats``): the web track's ``web-explore`` pages
through the list again.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, ClassVar

from memgym.interactive.agents import ContextAgent, register_agent, visible_text
from memgym.tracks.base import Track
from memgym.tracks.session import AgentTurn, ChatMessage, ToolCall

GENERIC = ("peek", "notes", "notes-class", "self-copy")
"""The cheats every interactive track is audited against."""
PEEK = "peek"
NONSENSE = "\u2205 memgym-peek"


def last_call_id(messages: Sequence[ChatMessage]) -> str:
    """The id of the tool call the last tool result in ``messages`` answers (``""``: none)."""
    for m in reversed(messages):
        if m.get("role") == "tool":
            return str(m.get("tool_call_id", ""))
        if m.get("role") == "user":
            return ""
    return ""


class Trick(ContextAgent):
    """The context probe that, while a step of the task still to come needs what is not in
    view, makes ``trick`` calls first (``trick`` returns None when it has nothing more to try);
    then it takes the steps it can, as ``context`` does."""

    def act(self, messages: Sequence[ChatMessage], tools: Sequence[dict[str, Any]]) -> AgentTurn:
        visible = visible_text(messages)
        if not all(self.can_make(s.needs, visible) for s in self._cursor.pending()):
            extra = self.trick(messages, tools)
            if extra is not None:
                return AgentTurn(tool_calls=(extra,))
        return super().act(messages, tools)

    def trick(
        self, messages: Sequence[ChatMessage], tools: Sequence[dict[str, Any]]
    ) -> ToolCall | None:
        return None


@register_agent(PEEK)
class PeekAgent(Trick):
    """Reads what the world still shows through a call it must refuse, then goes on."""

    name = PEEK

    def trick(
        self, messages: Sequence[ChatMessage], tools: Sequence[dict[str, Any]]
    ) -> ToolCall | None:
        if not tools or last_call_id(messages).startswith(PEEK):
            return None
        function = tools[0]["function"]
        names = list((function.get("parameters") or {}).get("properties") or {})
        arguments = json.dumps(dict.fromkeys(names, NONSENSE), sort_keys=True)
        return ToolCall(PEEK, function["name"], arguments)


@register_agent("notes")
class NotesAgent(ContextAgent):
    """The context probe that also keeps every view it saw in notes of its own."""

    name = "notes"

    def __init__(self, track: Track) -> None:
        self.notes: list[str] = []

    def act(self, messages: Sequence[ChatMessage], tools: Sequence[dict[str, Any]]) -> AgentTurn:
        self.remember(visible_text(messages))
        return super().act(messages, tools)

    def remember(self, text: str) -> None:
        self.notes.append(text)

    def can_make(self, needs: tuple[str, ...], visible: str) -> bool:
        seen = "\n".join([visible, *self.notes])
        return all(n in seen for n in needs)


@register_agent("notes-class")
class ClassNotesAgent(NotesAgent):
    """Keeps the notes on its class, where a new agent does not wipe them."""

    name = "notes-class"
    kept: ClassVar[list[str]] = []

    def remember(self, text: str) -> None:
        ClassNotesAgent.kept.append(text)
        del ClassNotesAgent.kept[:-64]  # bounded: the notes of its last 64 turns
        self.notes = ClassNotesAgent.kept


class SelfCopyList(list[str]):
    """A list whose every copy is itself."""

    def __copy__(self) -> SelfCopyList:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> SelfCopyList:
        return self


@register_agent("self-copy")
class SelfCopyAgent(NotesAgent):
    """Keeps its notes in a ``SelfCopyList`` on itself, and copies to itself too."""

    name = "self-copy"

    def __init__(self, track: Track) -> None:
        self.notes = SelfCopyList()

    def __copy__(self) -> SelfCopyAgent:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> SelfCopyAgent:
        return self
