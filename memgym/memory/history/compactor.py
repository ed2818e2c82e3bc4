"""What the interactive loop needs of a history memory, wherever it runs.

``HistoryMemory`` (this package) compacts in the evaluator's process; the trust boundary's
``RemoteHistory`` (``memgym.run.remote_history``) sends the messages to a sandboxed worker that
compacts them there. The loop and the scorer see only this protocol, so the layer that decides
where a memory runs (``memgym.run``) hands the interactive evaluation a ``HistoryFactory``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol

from memgym.types import CompactionRecord

ChatMessage = dict[str, Any]


class Compactor(Protocol):
    """One episode's history compaction."""

    episode: str
    """The episode's id (the scenario hash): what every record is stamped with."""

    @property
    def records(self) -> list[CompactionRecord]:
        """The compactions so far (a remote one knows them once the episode has ended)."""
        ...

    @property
    def boundary(self) -> str | None:
        """What ran the memory: None in the evaluator's process, else the worker's boundary
        (``memgym.run.sandbox``: ``sandbox`` or ``process``)."""
        ...

    def config(self) -> str:
        """The canonical spec of the strategy (what results record)."""
        ...

    def compact(self, messages: Sequence[ChatMessage]) -> list[ChatMessage]:
        """The messages to send the agent now."""
        ...

    def force(self) -> list[ChatMessage] | None:
        """After a context overflow on the last view: a smaller view (None: nothing to drop)."""
        ...

    def close(self) -> None:
        """End the episode's compaction (a remote one: its worker child; records are final)."""
        ...


HistoryFactory = Callable[[str, str, str], Compactor]
"""``factory(memory_spec, track_name, episode)``: the history memory of one episode."""
