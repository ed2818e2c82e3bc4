"""Summarisers for the ``summary`` memory: fold the texts that leave the window into the summary.

A summariser sees only its own previous summary and the texts leaving the window, and returns the
new summary: it keeps no other state, so what it forgets is gone.

- ``ExtractiveSummarizer`` (the default, no LLM): reads the claims of the summary and the texts
  with the track's reader and keeps every entity's latest value of each attribute (and the value
  it replaced) as canonical note lines (``Entity | attr=value (was old); ...``), newest entities
  first within ``cap`` tokens.
- ``LLMSummarizer``: asks a chat model to do the same. Its requests carry the headers
  ``X-Memgym-Task: summarize``, ``X-Memgym-Track`` and ``X-Memgym-Budget`` (the cap), which real
  endpoints ignore and ``memgym serve`` reads to reply with the extractive summary of the request's
  user messages, so an LLM-summary run through the scripted server equals the extractive run.
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from memgym.claims import Claim, render_record
from memgym.errors import ContextOverflow
from memgym.memory.context import text_tokens
from memgym.query import Table

HEADER = "Summary of earlier records:"
TASK_HEADER = "X-Memgym-Task"
BUDGET_HEADER = "X-Memgym-Budget"
TRACK_HEADER = "X-Memgym-Track"
SUMMARIZE = "summarize"

SYSTEM_PROMPT = (
    "You keep the rolling summary of records that have left an agent's context window. Merge the "
    "summary so far with the records that just left. Keep every entity's current value of every "
    "attribute, one line per entity, in the note format 'Entity | attribute=value (was old "
    "value); attribute=value', writing attribute names in snake_case and values as the records "
    "write them; note the value an update replaced as '(was old value)'. If the summary would "
    "exceed {cap} tokens, drop the entities updated longest ago. Reply with the summary alone: "
    "its first line is '" + HEADER + "', then the note lines, oldest entity first."
)
SUMMARY_SO_FAR = "Summary so far:"
LEAVING = "Records that just left the context:"


class Summarizer(ABC):
    """Folds texts into a summary of at most ``cap`` tokens (header included)."""

    cap: int

    @abstractmethod
    def fold(self, previous: str, texts: Sequence[str]) -> str:
        """The new summary from the previous one and the texts leaving the window, oldest first;
        an empty string when there is nothing to say."""

    @abstractmethod
    def config(self) -> str:
        """Spec options naming this summariser (empty for the default)."""

    def usage(self) -> dict[str, float]:
        """LLM spend so far (``{}`` without LLM)."""
        return {}


def render_table(table: Table, recent: Sequence[str], cap: int) -> str:
    """Header and note lines of the ``recent`` entities (least recently updated first), the newest
    that fit in ``cap`` tokens; empty when none fits."""
    rows = table.rows
    return _newest_that_fit(
        (
            render_record(entity, [(a, c.value, c.previous) for a, c in rows[entity].items()])
            for entity in reversed(recent)
        ),
        cap,
    )


def _newest_that_fit(newest_first: Iterable[str], cap: int) -> str:
    """The header and the lines of ``newest_first`` up to the first that would overflow ``cap``
    tokens (each line's cost counted as it comes), oldest first; empty when none fits."""
    budget = cap - text_tokens(HEADER)
    kept: list[str] = []
    for line in newest_first:
        cost = text_tokens(line)
        if cost > budget:
            break
        budget -= cost
        kept.append(line)
    return "\n".join([HEADER, *reversed(kept)]) if kept else ""


def extractive_summary(read: Callable[[str], list[Claim]], texts: Sequence[str], cap: int) -> str:
    """The summary of ``texts`` read in order (a previous summary first, if any): every entity's
    latest values, the most recently updated entities kept within ``cap`` tokens."""
    table = Table()
    recent: dict[str, None] = {}
    for text in texts:
        for claim in read(text):
            table.add(claim)
            recent.pop(claim.entity, None)
            recent[claim.entity] = None
    return render_table(table, list(recent), cap)


class ExtractiveSummarizer(Summarizer):
    """No LLM: the claims of the previous summary and the texts, latest values kept."""

    def __init__(self, read: Callable[[str], list[Claim]], cap: int) -> None:
        self.read = read
        self.cap = cap

    def fold(self, previous: str, texts: Sequence[str]) -> str:
        return extractive_summary(self.read, [previous, *texts], self.cap)

    def config(self) -> str:
        return ""


_CLIENTS: dict[tuple[Any, ...], Any] = {}
_CLIENTS_LOCK = threading.Lock()


def shared_client(model: str, base_url: str | None, cache: str = "", **options: Any) -> Any:
    """One ``SyncLLMClient`` per (model, endpoint, options, cache file) per process: every summary
    memory of a comparison reuses its connections."""
    key = (model, base_url, cache, *sorted(options.items()))
    with _CLIENTS_LOCK:
        client = _CLIENTS.get(key)
        if client is None:
            from memgym.llm.endpoint import open_client

            client = _CLIENTS[key] = open_client(model, base_url, cache, options)
        return client


class LLMSummarizer(Summarizer):
    """A chat model writes the summary; its reply is kept within ``cap`` tokens (oldest note lines
    dropped first). A reply cut off at the token limit loses its last line; an empty reply keeps
    the previous summary (what left is lost: the model's fault, and scored as such). An
    infrastructure failure that outlasts the client's retries raises ``LLMInfraError``."""

    def __init__(
        self,
        track_name: str,
        cap: int,
        model: str = "memgym-scripted",
        base_url: str | None = None,
        api_key_env: str = "OPENAI_API_KEY",
        timeout: float = 60.0,
        max_retries: int = 6,
        cache: str = "",
    ) -> None:
        self.track_name = track_name
        self.cap = cap
        self.model, self.base_url = model, base_url
        self.options: dict[str, Any] = {
            "api_key_env": api_key_env,
            "timeout": timeout,
            "max_retries": max_retries,
            "cache": cache,
        }
        self.spent: dict[str, float] = {}

    def messages(self, previous: str, texts: Sequence[str]) -> list[dict[str, str]]:
        """The chat request: instructions, the summary so far, the texts that left."""
        return [
            {"role": "system", "content": SYSTEM_PROMPT.format(cap=self.cap)},
            {"role": "user", "content": f"{SUMMARY_SO_FAR}\n{previous or '(empty)'}"},
            {"role": "user", "content": LEAVING + "\n\n" + "\n\n".join(texts)},
        ]

    def fold(self, previous: str, texts: Sequence[str]) -> str:
        client = shared_client(self.model, self.base_url, **self.options)
        headers = {
            TASK_HEADER: SUMMARIZE,
            TRACK_HEADER: self.track_name,
            BUDGET_HEADER: str(self.cap),
        }
        limit = 2 * self.cap + 64  # room for a tokenizer other than memgym's; fit() caps
        try:
            reply = client.chat(
                self.messages(previous, texts),
                headers=headers,
                temperature=0.0,
                max_tokens=limit,
            )
        except ContextOverflow:
            for key in ("calls", "overflows"):
                self.spent[key] = self.spent.get(key, 0.0) + 1
            return previous
        live = not reply.cached
        for key, value in (
            ("calls", 1),
            ("cached", int(reply.cached)),
            ("attempts", reply.attempts),
            ("retries", max(0, reply.attempts - 1)),
            ("prompt_tokens", reply.usage.prompt_tokens * live),
            ("completion_tokens", reply.usage.completion_tokens * live),
            ("cost_usd", (reply.cost or 0.0) * live),
            ("latency_s", reply.latency_s),
        ):
            self.spent[key] = self.spent.get(key, 0.0) + value
        text = (reply.content or "").strip()
        if reply.finish_reason == "length":  # cut off: its last line may hold half a value
            self.spent["truncated"] = self.spent.get("truncated", 0.0) + 1
            text = text.rpartition("\n")[0]
        return fit(text, self.cap) if text else previous

    def usage(self) -> dict[str, float]:
        return dict(self.spent)

    def config(self) -> str:
        url = f",base_url={self.base_url}" if self.base_url else ""
        return f",summarizer=llm,model={self.model}{url}"


def fit(summary: str, cap: int) -> str:
    """``summary`` with its header, dropping the oldest lines after it until it fits ``cap``."""
    lines = [x for x in summary.splitlines() if x.strip()]
    if lines and lines[0].strip() == HEADER:
        lines = lines[1:]
    return _newest_that_fit(reversed(lines), cap)
