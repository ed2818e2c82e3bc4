"""The swe track's own no-memory cheats: ``swe-explore`` reads the world again for whatever it
no longer sees; ``swe-stash`` also keeps notes in the world.

``swe-explore`` is the ``context`` probe, except that it makes every reading step of the gold
plan (a ``bash`` command: the outline, a view of the function) even when it cannot see what the
step needs (where the function is: it knows more than any real agent), and, when an edit needs
what is not in view, first prints every file of the working directory. Where the world still
holds what a task needs (a fix issue: the bug is in the file) it solves the task; a redo issue's
fix is nowhere in the reset tree, so it must fail there (``memgym audit``, the swe gate).

``swe-stash`` copies the module to ``.stash/`` after each of its edits and, when an edit needs
what is not in view, copies the stash back: notes kept in the working directory rather than in
the memory being measured. The reset before a redo issue removes every file but the module."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from memgym.interactive.agents import visible_text
from memgym.interactive.cheats import Trick, last_call_id
from memgym.tracks.agent import register_agent
from memgym.tracks.session import AgentTurn, ChatMessage, ToolCall, call

EXPLORE, STASH, UNSTASH = "explore", "stash", "unstash"
DUMP = 'for f in $(ls -A); do echo "== $f"; cat -- "$f"; done'
"""Print every file of the working directory (cut, like any output, at ``output_chars``)."""
SAVE = "mkdir -p .stash && cp -- *.py .stash/ && echo stashed"
RESTORE = "cp -- .stash/*.py . && echo restored"


@register_agent("swe-explore")
class SweExploreAgent(Trick):
    """Re-runs the plan's reading steps blind, and dumps the directory before a blind edit."""

    name = "swe-explore"
    trick_id, trick_command = EXPLORE, DUMP
    """The id of the trick's bash calls, and their command."""

    def act(self, messages: Sequence[ChatMessage], tools: Sequence[dict[str, Any]]) -> AgentTurn:
        pending = self._cursor.pending()
        reading = bool(pending) and all(c.name == "bash" for c in pending[0].turn.tool_calls)
        if reading and not self.can_make(pending[0].needs, visible_text(messages)):
            step = next(self._cursor.steps())  # made although its needs are out of view
            return self._cursor.renumbered(step.turn)
        return super().act(messages, tools)

    def trick(
        self, messages: Sequence[ChatMessage], tools: Sequence[dict[str, Any]]
    ) -> ToolCall | None:
        if last_call_id(messages).startswith(self.trick_id):
            return None
        return call(self.trick_id, "bash", command=self.trick_command)


@register_agent("swe-stash")
class SweStashAgent(SweExploreAgent):
    """``swe-explore`` with notes in the working directory: a copy of the module after each edit,
    copied back when an edit needs what it cannot see."""

    name = "swe-stash"
    trick_id, trick_command = UNSTASH, RESTORE

    def act(self, messages: Sequence[ChatMessage], tools: Sequence[dict[str, Any]]) -> AgentTurn:
        last = next((m for m in reversed(messages) if m.get("role") in ("tool", "user")), {})
        if last.get("role") == "tool" and str(last.get("content", "")).startswith("edited "):
            return AgentTurn(tool_calls=(call(STASH, "bash", command=SAVE),))
        return super().act(messages, tools)
