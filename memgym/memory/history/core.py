"""The proxy's memory side, without HTTP: requests' message lists in, compacted lists out.

A conversation is named by the ``X-Memgym-Conversation`` header when the client sends one;
otherwise it is the known conversation (same pinned head) whose observed units the request's
history extends, the longest one when several do; otherwise a new one. At most
``max_conversations`` are kept, the least recently used evicted.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from memgym.llm.headers import SPEC_HEADER, TRACK_HEADER
from memgym.memory import make_memory
from memgym.memory.history.conversation import Conversation, Entry, Gate, needs_scenario
from memgym.memory.history.records import RecordLog
from memgym.memory.history.units import ChatMessage, History, flatten, split
from memgym.tracks import get_track
from memgym.types import CompactionRecord

CONVERSATION_HEADER = "X-Memgym-Conversation"


@dataclass
class Turn:
    """One request's compaction: the messages to forward and what produced them."""

    conversation: Conversation
    history: History
    body: list[Entry]
    messages: list[ChatMessage]
    records: list[CompactionRecord]


class MemoryProxy:
    """Runs the memory named by ``spec`` over every conversation it is shown."""

    def __init__(
        self,
        spec: str,
        track: str = "entities",
        gate: Gate | None = None,
        threshold: float = 0.5,
        records: RecordLog | None = None,
        max_conversations: int = 256,
    ) -> None:
        probe = make_memory(spec, get_track(track))  # bad specs fail here, before serving
        if needs_scenario(probe):
            raise ValueError(f"memory {spec!r} reads the whole scenario and cannot run in a proxy")
        if max_conversations < 1:
            raise ValueError(f"max_conversations must be at least 1, got {max_conversations}")
        self.spec = spec
        self.track = track
        self.gate = gate
        self.threshold = threshold
        self.records = records
        self.max_conversations = max_conversations
        self.compactions = 0
        self._conversations: OrderedDict[str, Conversation] = OrderedDict()
        self._lock = threading.Lock()
        self._next = 0

    def compact(self, messages: Any, headers: Mapping[str, str]) -> Turn:
        """The compacted form of one request's ``messages``; ``ValueError`` for bad input."""
        history = split(messages)
        spec = _spec(headers.get(SPEC_HEADER))
        conversation = self._conversation(history, headers)
        with conversation.lock:
            moved = not conversation.extends(history)  # another request moved it meanwhile
            if not moved:
                body, records = conversation.advance(history, spec)
                scores = conversation.gate_scores
        if moved:
            conversation = self._new(history, headers, conversation.key)
            with conversation.lock:
                body, records = conversation.advance(history, spec)
                scores = conversation.gate_scores
        self._log(conversation.brief, records, scores)
        out = flatten(history, [e.messages for e in body])
        return Turn(conversation, history, body, out, records)

    def force(self, turn: Turn) -> list[ChatMessage] | None:
        """After a context-length error: drop the oldest half of ``turn``'s body for good and
        return the smaller message list, or None when the body is already empty. ``turn`` now
        holds the smaller body, so another call halves it again."""
        forced = self.force_record(turn)
        return None if forced is None else forced[0]

    def force_record(self, turn: Turn) -> tuple[list[ChatMessage], CompactionRecord] | None:
        """``force``, with the record of the forced compaction (also logged)."""
        conversation = turn.conversation
        with conversation.lock:
            record = conversation.force(turn.body)
            if record is None:
                return None
            live = turn.history.live.text if turn.history.live is not None else ""
            turn.body = conversation.view(live, {})
        self._log(conversation.brief, [record], [])
        turn.messages = flatten(turn.history, [e.messages for e in turn.body])
        return turn.messages, record

    def conversations(self) -> int:
        with self._lock:
            return len(self._conversations)

    def _conversation(self, history: History, headers: Mapping[str, str]) -> Conversation:
        named = (headers.get(CONVERSATION_HEADER) or "").strip()
        with self._lock:
            if named:
                found = self._conversations.get(named)
                if found is not None and found.extends(history):
                    self._conversations.move_to_end(named)
                    return found
                return self._add(history, headers, named)
            best: Conversation | None = None
            for conversation in self._conversations.values():
                if (
                    conversation.key.startswith("auto-")
                    and conversation.extends(history)
                    and (best is None or len(conversation.units) > len(best.units))
                ):
                    best = conversation
            if best is not None:
                self._conversations.move_to_end(best.key)
                return best
            self._next += 1
            return self._add(history, headers, f"auto-{self._next}")

    def _new(self, history: History, headers: Mapping[str, str], key: str) -> Conversation:
        with self._lock:
            return self._add(history, headers, key)

    def _add(self, history: History, headers: Mapping[str, str], key: str) -> Conversation:
        track = get_track((headers.get(TRACK_HEADER) or "").strip() or self.track)
        memory = make_memory(self.spec, track)
        conversation = Conversation(key, memory, history.head, self.gate, self.threshold)
        self._conversations[key] = conversation
        self._conversations.move_to_end(key)
        while len(self._conversations) > self.max_conversations:
            self._conversations.popitem(last=False)
        return conversation

    def _log(
        self, brief: str, records: list[CompactionRecord], scores: list[tuple[float, bool]]
    ) -> None:
        with self._lock:
            self.compactions += len(records)
        if self.records is None:
            return
        for i, record in enumerate(records):
            gate = None
            if i < len(scores):
                gate = {"p_harmful": scores[i][0], "refused": scores[i][1]}
            self.records.write(record, brief, gate)


def _spec(raw: str | None) -> dict[str, Any]:
    """The question spec header as a dict ({} when absent or not a JSON object)."""
    if not raw:
        return {}
    try:
        value = json.loads(raw)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
