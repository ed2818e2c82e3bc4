"""The LLM reasoner: asks any OpenAI-compatible chat endpoint, through ``memgym.llm``.

The view's messages go out as they are (a ``tool`` message of the view as ``user``), then one user
message with the question. When the view holds a store, the model gets one tool, ``search_memory``
(see ``memgym.reasoners.memory_tools``), and may call it for up to ``max_turns`` turns; a bad call
is answered with an error the model can correct, and counted. The final reply's answer is its last
``Answer:`` line (or the whole reply when it is one line).

Every request also carries two headers that models never see: ``X-Memgym-Track`` and
``X-Memgym-Spec`` (the question's structured spec as JSON, never its answer). Real endpoints ignore
them; ``memgym serve`` reads them to reply as the scripted reasoner would.
"""

from __future__ import annotations

import json
import re
from typing import Any

from memgym.llm.classify import LLMModelError
from memgym.memory.store import Store
from memgym.reasoners.base import Reasoner, register_reasoner
from memgym.reasoners.memory_tools import SEARCH_TOOL, error_result, run_search, search_arguments
from memgym.tracks.base import Track
from memgym.types import Question, View

SPEC_HEADER = "X-Memgym-Spec"
TRACK_HEADER = "X-Memgym-Track"

QUESTION_PROMPT = (
    "Question: {question}\n\n{tool_hint}Answer with the value alone, written as the records "
    "write it. If your memory does not hold the answer, answer unknown. End your reply with a line "
    "of the form 'Answer: <answer>'."
)
TOOL_HINT = "Your memory store is searchable with the search_memory tool; use it first.\n"
_ANSWER_LINE = re.compile(r"^\s*answer\s*:\s*(.*?)\s*$", re.IGNORECASE | re.MULTILINE)


def render(question: Question, view: View, tools: bool) -> list[dict[str, Any]]:
    """The chat messages for ``question`` over ``view``."""
    messages: list[dict[str, Any]] = [
        {"role": "user" if m.role == "tool" else m.role, "content": m.content}
        for m in view.messages
    ]
    hint = TOOL_HINT if tools else ""
    messages.append(
        {"role": "user", "content": QUESTION_PROMPT.format(question=question.text, tool_hint=hint)}
    )
    return messages


def extract_answer(content: str | None, finish_reason: str | None) -> str:
    """The answer in a final reply; ``LLMModelError`` when it is cut off, empty or unparsable."""
    text = (content or "").strip()
    if finish_reason == "length":
        raise LLMModelError("truncated", f"reply cut off at the token limit: {text[-80:]!r}")
    if not text:
        raise LLMModelError("empty_answer", "the reply holds no answer")
    lines = _ANSWER_LINE.findall(text)
    if lines and lines[-1]:
        return lines[-1]
    if "\n" not in text:
        return text
    raise LLMModelError("unparsable_answer", f"no 'Answer:' line in {text[:120]!r}")


@register_reasoner("llm")
class LLMReasoner(Reasoner):
    """Answers through a chat model, searching the view's store with a tool when there is one."""

    name = "llm"

    def __init__(
        self,
        track: Track,
        model: str = "memgym-scripted",
        base_url: str | None = None,
        api_key_env: str = "OPENAI_API_KEY",
        timeout: float = 60.0,
        max_retries: int = 6,
        backoff: float = 0.5,
        concurrency: int = 8,
        max_turns: int = 12,
        max_tokens: int = 0,
        temperature: float = 0.0,
        cache: str = "",
        seed: int = 0,
    ) -> None:
        self.track_name = track.name
        self.model, self.base_url = model, base_url
        self.max_turns = max_turns
        self.request: dict[str, Any] = {"temperature": temperature}
        if max_tokens:
            self.request["max_tokens"] = max_tokens
        self._options: dict[str, Any] = {
            "api_key_env": api_key_env,
            "timeout": timeout,
            "max_retries": max_retries,
            "backoff_base": backoff,
            "concurrency": concurrency,
            "seed": seed,
        }
        self._cache_path = cache
        self._client: Any = None
        self.tool_errors = 0

    @property
    def client(self) -> Any:
        """The ``SyncLLMClient``, made on first use."""
        if self._client is None:
            from memgym.llm.cache import CallCache
            from memgym.llm.client import SyncLLMClient

            cache = CallCache(self._cache_path) if self._cache_path else None
            self._client = SyncLLMClient(self.model, self.base_url, cache=cache, **self._options)
        return self._client

    def answer(self, question: Question, view: View) -> str:
        store = view.store if isinstance(view.store, Store) else None
        tools = [SEARCH_TOOL] if store is not None else None
        messages = render(question, view, tools is not None)
        headers = {
            TRACK_HEADER: self.track_name,
            SPEC_HEADER: json.dumps(question.spec, sort_keys=True, separators=(",", ":")),
        }
        for _ in range(self.max_turns):
            reply = self.client.chat(messages, tools, headers=headers, **self.request)
            if not reply.tool_calls:
                return extract_answer(reply.content, reply.finish_reason)
            messages.append(reply.message())
            for call in reply.tool_calls:
                messages.append(
                    {"role": "tool", "tool_call_id": call.id, "content": self._tool(store, call)}
                )
        raise LLMModelError("no_answer", f"no final answer within {self.max_turns} turns")

    def _tool(self, store: Store | None, call: Any) -> str:
        """Run one tool call; a bad one becomes an error result for the model, and is counted."""
        try:
            if store is None:
                raise LLMModelError("unknown_tool", "no tools are available for this question")
            query, k = search_arguments(call.name, call.arguments)
        except LLMModelError as exc:
            self.tool_errors += 1
            return error_result(str(exc))
        return run_search(store, query, k)

    def close(self) -> None:
        """Close the client's connections and cache."""
        if self._client is not None:
            self._client.close()
            if self._client.client.cache is not None:
                self._client.client.cache.close()
            self._client = None

    def config(self) -> str:
        url = f",base_url={self.base_url}" if self.base_url else ""
        return f"llm:model={self.model}{url}"
