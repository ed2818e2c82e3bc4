"""The scripted reply of ``memgym serve`` to a summarisation request (``X-Memgym-Task: summarize``).

An ``LLMSummarizer`` request holds its instructions as the system message and, as user messages,
the summary so far and the texts leaving the context. The reply is the extractive summary of the
user messages read in order, capped at the ``X-Memgym-Budget`` header's tokens: exactly what the
extractive summariser returns for the same summary and texts, so an LLM-summary run through the
scripted server equals the extractive run.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from memgym.memory.summarizers import (
    BUDGET_HEADER,
    HEADER,
    SUMMARIZE,
    TASK_HEADER,
    TRACK_HEADER,
    extractive_summary,
)
from memgym.serve.scripted import Reply


class Headers(Protocol):
    """Request headers: a mapping, or the server's ``email.message.Message``."""

    def get(self, name: str, default: None = None) -> str | None: ...


__all__ = ["SUMMARIZE", "TASK_HEADER", "is_summarize", "summarize", "summary_reply"]


def is_summarize(headers: Headers) -> bool:
    """Whether a request asks for a summary rather than an answer."""
    return (headers.get(TASK_HEADER) or "").strip().lower() == SUMMARIZE


def summary_reply(track: Any, messages: Sequence[Mapping[str, Any]], budget: str | None) -> str:
    """The extractive summary of the user messages; ``ValueError`` for a bad budget header."""
    try:
        cap = int(budget or "")
    except ValueError:
        raise ValueError(
            f"a summarize request needs the {BUDGET_HEADER} header as a token count, got {budget!r}"
        ) from None
    if cap < 0:
        raise ValueError(f"{BUDGET_HEADER} must be non-negative, got {cap}")
    texts = [_text(m.get("content")) for m in messages if m.get("role") == "user"]
    # An empty summary is sent as the bare header: an empty reply would mean "no answer".
    return extractive_summary(track.read_cached, texts, cap) or HEADER


def _text(content: Any) -> str:
    """A message's text, whether a string or a list of content parts."""
    if isinstance(content, list):
        return "".join(p.get("text", "") for p in content if isinstance(p, dict))
    return content if isinstance(content, str) else ""


_TRACKS: dict[str, Any] = {}
_LOCK = threading.Lock()


def summarize(body: Mapping[str, Any], headers: Headers) -> Reply:
    """The reply to a summarize request (one track instance per name, so its read cache is
    reused; the lock keeps that cache to one writer at a time)."""
    from memgym.tracks import get_track

    name = headers.get(TRACK_HEADER) or "entities"
    with _LOCK:
        track = _TRACKS.get(name)
        if track is None:
            track = _TRACKS[name] = get_track(name)
        text = summary_reply(track, body["messages"], headers.get(BUDGET_HEADER))
    return Reply(content=text, final=True)
