"""A chat model with tools, one turn at a time: what the LLM reasoner and the LLM writer share.

``ToolAgent`` owns the ``SyncLLMClient`` (made on first use), the tool protocol (``native``
function calling, or ``text``: ``CALL`` lines, see ``memgym.llm.textcalls``) and the count of
the model's bad tool calls. A turn is ``ask`` (one chat call; the calls in the reply), ``run``
(check each call against the toolset and carry out the valid ones; a bad one becomes an error
result and is counted) and ``feed`` (append the reply and the results for the next turn).

With ``context_window=N`` every request is fitted to the model's window before it goes out
(``memgym.llm.fit``: the view gives way, oldest first; ``fitted`` counts the requests cut) and
``max_tokens`` defaults to a quarter of the window (at most 512). ``slots=N`` pins each agent's
requests to one of the server's N slots (``id_slot``, ``cache_prompt``: llama.cpp's server), so its
prompt cache keeps serving an episode's growing conversation while other episodes run.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from memgym.llm.accounting import Ledger
from memgym.llm.classify import LLMModelError
from memgym.llm.client import ChatResult, ToolCall
from memgym.llm.endpoint import close_client, open_client
from memgym.llm.fit import fit_messages, prompt_budget, window_max_tokens
from memgym.llm.slots import slot_pool
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
        context_window: int = 0,
        slots: int = 0,
    ) -> None:
        if tools not in MODES:
            raise ValueError(f"tools must be one of {', '.join(MODES)}, got {tools!r}")
        if not isinstance(max_turns, int) or isinstance(max_turns, bool) or max_turns < 1:
            raise ValueError(f"max_turns must be a positive integer, got {max_turns!r}")
        for name, value in (("context_window", context_window), ("max_tokens", max_tokens)):
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ValueError(f"{name} must be a non-negative integer, got {value!r}")
        if not isinstance(slots, int) or isinstance(slots, bool) or slots < 0:
            raise ValueError(f"slots must be a non-negative integer, got {slots!r}")
        self.model, self.base_url, self.mode, self.max_turns = model, base_url, tools, max_turns
        self.context_window = context_window
        self.request: dict[str, Any] = {"temperature": temperature}
        if context_window:
            max_tokens = window_max_tokens(context_window, max_tokens)
        if max_tokens:
            self.request["max_tokens"] = max_tokens
        self._slots = slot_pool(base_url, slots) if slots else None
        self.slot: int | None = None
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
        self.tool_calls = 0
        self.fitted = 0

    @property
    def client(self) -> Any:
        """The ``SyncLLMClient``, made on first use."""
        if self._client is None:
            self._client = open_client(self.model, self.base_url, self._cache_path, self._options)
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
        keep_from: int = 0,
    ) -> tuple[ChatResult, list[ToolCall]]:
        """One chat call; the reply and the tool calls it makes. ``keep_from``: the index of the
        prompt; with a declared window, the messages before it are the view that may give way.
        A reply cut off at the token limit is ``LLMModelError("truncated")``, a prompt the
        server finds too long ``LLMContextOverflow``; infrastructure failures raise
        ``LLMInfraError``."""
        sent = dict(headers)
        schemas = None
        if toolset is not None:
            if self.mode == "native":
                schemas = toolset.schemas()
            else:
                sent[TOOLS_HEADER] = "text"
        outgoing: list[Mapping[str, Any]] = list(messages)
        if self.context_window:
            budget = prompt_budget(self.context_window, self.request.get("max_tokens", 0), schemas)
            outgoing, cut = fit_messages(messages, budget, keep_from)
            self.fitted += cut
        request = dict(self.request)
        if self._slots is not None:
            if self.slot is None:
                self.slot = self._slots.take()
            request.update(id_slot=self.slot, cache_prompt=True)
        reply = self.send(outgoing, schemas, sent, request)
        if reply.finish_reason == "length":
            tail = (reply.content or "")[-80:]
            raise LLMModelError("truncated", f"reply cut off at the token limit: {tail!r}")
        if toolset is None:
            return reply, []
        calls = list(reply.tool_calls) if self.mode == "native" else parse_calls(reply.content)
        return reply, calls

    def send(
        self,
        messages: Sequence[Mapping[str, Any]],
        schemas: list[dict[str, Any]] | None,
        headers: Mapping[str, str],
        request: Mapping[str, Any],
    ) -> ChatResult:
        """The transport of ``ask``: one chat request, fitted and with its headers, to the
        endpoint (a subclass may answer it otherwise)."""
        return self.client.chat(messages, schemas, headers=headers, **request)

    def run(self, toolset: Toolset, calls: list[ToolCall], handle: Handler) -> list[str]:
        """The result of each call, in order; a bad call (invalid, or refused by ``handle``) is
        an error result and counts as a tool error."""
        results = []
        self.tool_calls += len(calls)
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
        """The client ledger's totals (zeros before any call) plus ``tool_calls`` (the model's)
        and ``tool_errors`` (those of them that were invalid or refused; the rest ran), and
        ``fitted`` (requests cut to a declared window)."""
        totals = {k: float(v) for k, v in self._ledger.totals().items()}
        totals["tool_calls"] = float(self.tool_calls)
        totals["tool_errors"] = float(self.tool_errors)
        if self.context_window:
            totals["fitted"] = float(self.fitted)
        return totals

    def close(self) -> None:
        """Close the client's connections and cache; give its server slot back."""
        if self._slots is not None and self.slot is not None:
            self._slots.give(self.slot)
            self.slot = None
        if self._client is not None:
            close_client(self._client)
            self._client = None

    def spec(self) -> str:
        """The options that name the endpoint, for ``config()`` strings."""
        url = f",base_url={self.base_url}" if self.base_url else ""
        mode = ",tools=text" if self.mode == "text" else ""
        window = f",context_window={self.context_window}" if self.context_window else ""
        return f"model={self.model}{url}{mode}{window}"
