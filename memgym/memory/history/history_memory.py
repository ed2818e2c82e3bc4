"""A memory strategy compacting an agent's chat history: the proxy's core, run in process (a
``memgym.memory.history.compactor.Compactor``; the worker behind the trust boundary runs one too).

The same code that compacts requests in ``memgym proxy`` (``memgym.memory.history.core.MemoryProxy``)
compacts the agent's history before every model call here, so a strategy behaves identically
behind the proxy and inside an interactive track. The pinned head (system prompt and first user
message) and the live unit are always kept; a tool call is never split from its results.

``keep`` (for counterfactual replay, ``memgym.rmdata.interactive``) names history units, by their
text, that every view shows whatever the strategy dropped: the strategy observes and decides
exactly as without it (its records are unchanged); only the view sent to the agent gains them.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

from memgym.memory import make_memory
from memgym.memory.history.core import CONVERSATION_HEADER, MemoryProxy, Turn
from memgym.memory.history.units import flatten
from memgym.tokens import count_tokens
from memgym.tracks import get_track
from memgym.types import CompactionRecord

ChatMessage = dict[str, Any]


class HistoryMemory:
    """One episode's history compaction under memory ``spec`` (``full`` keeps everything)."""

    def __init__(self, spec: str, track: str, episode: str, keep: Collection[str] = ()) -> None:
        self._proxy = MemoryProxy(spec, track=track, max_conversations=1)
        self.keep = frozenset(keep)
        self.spec = make_memory(spec, get_track(track)).config()
        self.episode = episode
        self.records: list[CompactionRecord] = []
        self._turn: Turn | None = None
        self._messages: list[ChatMessage] = []

    @property
    def boundary(self) -> str | None:
        """None: it runs in the evaluator's process (``Compactor.boundary``)."""
        return None

    def close(self) -> None:
        """Nothing to end: it holds no process or connection."""
        return

    def config(self) -> str:
        """The canonical spec of the strategy (what results record)."""
        return self.spec

    def compact(self, messages: Sequence[ChatMessage]) -> list[ChatMessage]:
        """The messages to send the agent now: ``messages`` as the strategy keeps them."""
        self._messages = list(messages)
        turn = self._proxy.compact(self._messages, {CONVERSATION_HEADER: self.episode})
        self._turn = turn
        self.records.extend(r.model_copy(update={"episode": self.episode}) for r in turn.records)
        return [dict(m) for m in (self._kept(turn) if self.keep else turn.messages)]

    def _kept(self, turn: Turn) -> Sequence[Mapping[str, Any]]:
        """``turn``'s messages with every unit named by ``keep`` back in place (at its position,
        its placeholder removed), above the floor of forced compactions."""
        shown = {e.step for e in turn.body if e.unit}
        floor = turn.conversation.floor
        back = {
            i for i, unit in enumerate(turn.history.body)
            if unit.text in self.keep and i not in shown and i >= floor
        }  # fmt: skip
        if not back:
            return turn.messages
        entries = [
            (e.step, e.messages) for e in turn.body if not (e.placeholder and e.step in back)
        ]
        entries += [(i, turn.history.body[i].messages) for i in back]
        entries.sort(key=lambda e: e[0])
        return flatten(turn.history, [m for _, m in entries])

    def force(self) -> list[ChatMessage] | None:
        """After the agent's context overflowed on the last view: drop the oldest half of its
        body for good and return the smaller view (None when its body is already empty)."""
        forced = self._proxy.force_record(self._turn) if self._turn is not None else None
        if forced is None:
            return None
        self.records.append(forced[1].model_copy(update={"episode": self.episode}))
        return self.compact(self._messages)  # the new floor holds for every later view


def view_tokens(messages: Sequence[ChatMessage]) -> int:
    """memgym's token count of a view: every message's text and tool-call arguments."""
    total = 0
    for m in messages:
        content = m.get("content")
        total += count_tokens(content) if isinstance(content, str) else 0
        for c in m.get("tool_calls") or []:
            function = c.get("function") or {}
            total += count_tokens(f"{function.get('name', '')} {function.get('arguments', '')}")
    return total
