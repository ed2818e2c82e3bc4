"""A chat model with tools, one turn at a time: what the LLM reasoner and the LLM writer share.

``ToolAgent`` owns the ``SyncLLMClient`` (made on first use), the tool protocol (``native``
function calling, or ``text``: ``CALL`` lines, see ``memgym.llm.textcalls``) and the count of
the model's bad tool calls. A turn is ``ask`` (one chat call; the calls in the reply), ``run``
(check each call against the toolset and carry out the valid ones; a bad one becomes an error
result and is counted) and ``feed`` (append the reply and the results for the next turn).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from memgym.llm.accounting import Ledger
from memgym.llm.classify import LLMModelError
from memgym.llm.client import ChatResult, ToolCall
from memgym.llm.textcalls import describe, parse_calls, render_results
from memgym.llm.tools import Call, Toolset, call_error

MODES = ("native", "text")
TOOLS_HEADER = "X-Memgym-Tools"
"""Sent as ``text`` when tools are offered in the prompt (real endpoints ignore it)."""

Handler = Callable[[Call], tuple[str, bool]]
"""Carries out a valid call: its JSON result, and False when it failed (counted as an error)."""


class ToolAgent:
    """One model endpoint used with tools; options are those of ``llm`` reasoner specs."""

    def __init__(
        self,
        model: str = "memgym-scripted",
        base_url: str | None = None,
        *,
        tools: str = "native",
        max_turns: int = 12,
        api_key_env: str = "OPENAI_API_KEY",
        timeout: float = 60.0,
        max_retries: int = 6,
        backoff: float = 0.5,
        concurrency: int = 8,
        max_tokens: int = 0,
        temperature: float = 0.0,
        cache: str = "",
        seed: int = 0,
        price_prompt: float = 0.0,
        price_completion: float = 0.0,
    ) -> None:
        if tools not in MODES:
            raise ValueError(f"tools must be one of {', '.join(MODES)}, got {tools!r}")
        if not isinstance(max_turns, int) or max_turns < 1:
            raise ValueError(f"max_turns must be a positive integer, got {max_turns!r}")
        self.model, self.base_url, self.mode, self.max_turns = model, base_url, tools, max_turns
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
        if price_prompt or price_completion:  # USD per million tokens: cost is then recorded
            self._options["prices"] = {model: (float(price_prompt), float(price_completion))}
        self._cache_path = cache
        self._client: Any = None
        self._ledger = Ledger()  # the client's, once made; kept after close for usage()
        self.tool_errors = 0

    @property
    def client(self) -> Any:
        """The ``SyncLLMClient``, made on first use."""
        if self._client is None:
            from memgym.llm.cache import CallCache
            from memgym.llm.client import SyncLLMClient

            cache = CallCache(self._cache_path) if self._cache_path else None
            self._client = SyncLLMClient(self.model, self.base_url, cache=cache, **self._options)
            self._ledger = self._client.ledger
        return self._client

    def prompt(self, toolset: Toolset | None) -> str:
        """Text to add to the prompt: the tool list in text mode, else nothing."""
        return describe(toolset) if toolset is not None and self.mode == "text" else ""

    def ask(
        self,
        messages: list[dict[str, Any]],
        toolset: Toolset | None,
        headers: Mapping[str, str],
    ) -> tuple[ChatResult, list[ToolCall]]:
        """One chat call; the reply and the tool calls it makes. A reply cut off at the token
        limit is ``LLMModelError("truncated")``; infrastructure failures raise ``LLMInfraError``."""
        sent = dict(headers)
        schemas = None
        if toolset is not None:
            if self.mode == "native":
                schemas = toolset.schemas()
            else:
                sent[TOOLS_HEADER] = "text"
        reply = self.client.chat(messages, schemas, headers=sent, **self.request)
        if reply.finish_reason == "length":
            tail = (reply.content or "")[-80:]
            raise LLMModelError("truncated", f"reply cut off at the token limit: {tail!r}")
        if toolset is None:
            return reply, []
        calls = list(reply.tool_calls) if self.mode == "native" else parse_calls(reply.content)
        return reply, calls

    def run(self, toolset: Toolset, calls: list[ToolCall], handle: Handler) -> list[str]:
        """The result of each call, in order; a bad call (invalid, or refused by ``handle``) is
        an error result and counts as a tool error."""
        results = []
        for call in calls:
            try:
                content, ok = handle(toolset.parse(call.name, call.arguments))
            except LLMModelError as exc:
                content, ok = call_error(exc), False
            self.tool_errors += not ok
            results.append(content)
        return results

    def feed(
        self,
        messages: list[dict[str, Any]],
        reply: ChatResult,
        calls: list[ToolCall],
        results: list[str],
    ) -> None:
        """Append the reply and its calls' results to ``messages``."""
        if self.mode == "native":
            messages.append(reply.message())
            for call, content in zip(calls, results, strict=True):
                messages.append({"role": "tool", "tool_call_id": call.id, "content": content})
        else:
            messages.append({"role": "assistant", "content": reply.content or ""})
            pairs = [(c.name, r) for c, r in zip(calls, results, strict=True)]
            messages.append({"role": "user", "content": render_results(pairs)})

    def usage(self) -> dict[str, float]:
        """The client ledger's totals (zeros before any call) plus ``tool_errors``."""
        totals = {k: float(v) for k, v in self._ledger.totals().items()}
        totals["tool_errors"] = float(self.tool_errors)
        return totals

    def close(self) -> None:
        """Close the client's connections and cache."""
        if self._client is not None:
            self._client.close()
            if self._client.client.cache is not None:
                self._client.client.cache.close()
            self._client = None

    def spec(self) -> str:
        """The options that name the endpoint, for ``config()`` strings."""
        url = f",base_url={self.base_url}" if self.base_url else ""
        mode = ",tools=text" if self.mode == "text" else ""
        return f"model={self.model}{url}{mode}"
