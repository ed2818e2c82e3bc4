"""The worker's side of an interactive track: a memory compacting the agent's chat history.

An episode child that is sent ``history`` (instead of ``start``) builds
``memgym.memory.history.history_memory.HistoryMemory`` for the memory spec, the same code that
compacts in process, and then answers ``compact`` (the messages added since the last request,
from index ``from``: the evaluator sends every message once), ``force`` (after the agent's
context overflowed) and ``history_end`` (the compaction records). It receives the agent's
messages and nothing else: no scenario, no task, no app, no episode id (its records are
stamped by the evaluator). An interactive episode names no scenario, so in a worker with
plugins it is its process's last (``memgym.run.replays``).
"""

from __future__ import annotations

from typing import Any

from memgym.memory.history.history_memory import ChatMessage, HistoryMemory
from memgym.run.replays import Played
from memgym.run.wire import PROTOCOL, chat_from_wire

EPISODE = "episode"
"""The conversation key in the worker (the evaluator stamps records with the real one)."""


class HistoryOps:
    """The ``history``, ``compact``, ``force`` and ``history_end`` requests of ``Worker``."""

    history: HistoryMemory | None = None
    messages: list[ChatMessage]
    played: Played | None = None

    def op_history(self, request: dict[str, Any]) -> dict[str, Any]:
        if request.get("protocol") != PROTOCOL:
            raise ValueError(f"worker: protocol {request.get('protocol')!r}, expected {PROTOCOL}")
        if self.history is not None:
            raise ValueError("worker: this episode's history memory is already built")
        if self.played is not None:  # a plugin's process: no key, so its last episode
            self.played.start(None)
        self.history = HistoryMemory(str(request["memory"]), str(request["track"]), EPISODE)
        self.messages = []
        return {"memory": self.history.config()}

    def _history(self) -> HistoryMemory:
        if self.history is None:
            raise ValueError("worker: send history first")
        return self.history

    def op_compact(self, request: dict[str, Any]) -> dict[str, Any]:
        history = self._history()
        start = request.get("from")
        if not isinstance(start, int) or not 0 <= start <= len(self.messages):
            raise ValueError(f"worker: compact from {start!r}: not a message index held here")
        del self.messages[start:]
        self.messages.extend(chat_from_wire(request.get("messages"), "worker: compact"))
        return {"messages": history.compact(self.messages)}

    def op_force(self, request: dict[str, Any]) -> dict[str, Any]:
        return {"messages": self._history().force()}

    def op_history_end(self, request: dict[str, Any]) -> dict[str, Any]:
        history = self._history()
        return {"records": [r.model_dump(mode="json") for r in history.records]}
