"""An interactive track's history memory behind the trust boundary.

``RemoteHistory`` is a ``memgym.memory.history.compactor.Compactor`` whose memory runs in a
child of the sandboxed worker (``memgym.run.remote``): each turn the agent's new messages cross
the wire (every message once; the whole history again only if the caller's list stops
extending what was sent), the view the memory keeps of them comes back, and the agent, memgym's
own, acts on it here. The worker never sees the task, its gold, its files or its app: only the
messages. ``Histories`` is the factory ``evaluate_interactive`` takes: memgym's own memories in
process (unless ``isolate``), anything else behind the boundary (but a memory a script
registered in ``__main__``, which stays in process, labelled ``in-process (third-party)``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from memgym.memory.history.compactor import ChatMessage, Compactor
from memgym.memory.history.history_memory import HistoryMemory
from memgym.memory.registry import memory_module
from memgym.run.remote import WorkerError, WorkerProcess, shared_worker
from memgym.run.trust import plugin_modules, trusted_memory
from memgym.run.wire import PROTOCOL, chat_from_wire
from memgym.specs import parse_spec
from memgym.types import CompactionRecord


class RemoteHistory:
    """One episode's history compaction in a child of ``worker`` (close it to end the child
    and receive the records)."""

    def __init__(self, worker: WorkerProcess, spec: str, track: str, episode: str) -> None:
        self.worker = worker
        self.episode = episode
        self._conn = worker.connect()
        request = {"op": "history", "protocol": PROTOCOL, "track": track, "memory": spec}
        try:
            self.spec = str(self._conn.call(request)["memory"])
        except BaseException:
            self._conn.close()
            raise
        self._records: list[CompactionRecord] = []
        self._sent: list[ChatMessage] = []
        self._open = True

    @property
    def boundary(self) -> str:
        return self.worker.boundary

    @property
    def records(self) -> list[CompactionRecord]:
        return self._records

    def config(self) -> str:
        return self.spec

    def compact(self, messages: Sequence[ChatMessage]) -> list[ChatMessage]:
        messages = list(messages)
        start = len(self._sent)
        if start > len(messages) or any(a != b for a, b in zip(self._sent, messages, strict=False)):
            start = 0  # not an extension of what was sent: send it all again
        new = [dict(m) for m in messages[start:]]
        reply = self._conn.call({"op": "compact", "from": start, "messages": new})
        self._sent = self._sent[:start] + new
        return _view(reply.get("messages"))

    def force(self) -> list[ChatMessage] | None:
        view = self._conn.call({"op": "force"}).get("messages")
        return None if view is None else _view(view)

    def close(self) -> None:
        """Fetch the records, then end the child (once)."""
        if not self._open:
            return
        self._open = False
        try:
            raw = self._conn.call({"op": "history_end"}).get("records")
        finally:
            self._conn.close()
        if not isinstance(raw, list):
            raise WorkerError("worker: history_end must give a list of compaction records")
        try:
            self._records = [
                CompactionRecord.model_validate(r).model_copy(update={"episode": self.episode})
                for r in raw
            ]
        except ValueError as exc:  # records that are not records are the worker's failure
            first = str(exc).splitlines()[0]
            raise WorkerError(f"worker: bad compaction records ({first})") from None


def _view(raw: Any) -> list[ChatMessage]:
    try:
        return [dict(m) for m in chat_from_wire(raw, "worker: a view")]
    except ValueError as exc:
        raise WorkerError(str(exc)) from None


@dataclass(frozen=True)
class Histories:
    """The history memory of each interactive episode: memgym's own in this process (unless
    ``isolate``), any other (a plugin's: ``plugins`` are imported by the worker only) in a
    child of this process's worker. Picklable: spawned processes build their own workers."""

    isolate: bool = False
    plugins: tuple[str, ...] = ()

    def __call__(self, spec: str, track: str, episode: str) -> Compactor:
        if not self.remote(spec):
            return HistoryMemory(spec, track, episode)
        worker = shared_worker(plugin_modules((spec,), self.plugins), (spec,))
        return RemoteHistory(worker, spec, track, episode)

    def remote(self, spec: str) -> bool:
        """Whether ``spec`` compacts behind the boundary: unless it is memgym's own (and not
        ``isolate``), or registered here by a script's ``__main__``, which no worker can import
        (it runs here and its results say ``in-process (third-party)``, never ranked)."""
        name = parse_spec(spec)[0]
        if memory_module(name) == "__main__" and not self.plugins:
            return False
        return self.isolate or not trusted_memory(name)
