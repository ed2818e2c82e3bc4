"""The ``llm`` agent: any OpenAI-compatible chat endpoint acting in an interactive session.

Every turn is one chat call with the view of the history and the session's tools (native
function calling, ``tool_choice: auto``, so servers that include tools in the prompt only on
request, such as llama.cpp's, do show them). The reply's tool calls are passed on as they are:
the session validates them and answers a bad call with an error the model can correct.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from memgym.llm.classify import LLMModelError
from memgym.llm.endpoint import close_client, open_client
from memgym.tracks.agent import Agent, register_agent
from memgym.tracks.base import Track
from memgym.tracks.session import AgentTurn, ChatMessage, ToolCall


@register_agent("llm")
class LLMAgent(Agent):
    """A model behind an OpenAI-compatible endpoint (options as ``llm`` reasoner specs)."""

    name = "llm"

    def __init__(
        self,
        track: Track,
        model: str = "memgym-scripted",
        base_url: str | None = None,
        api_key_env: str = "OPENAI_API_KEY",
        cache: str = "",
        max_tokens: int = 0,
        temperature: float = 0.0,
        timeout: float = 120.0,
        max_retries: int = 6,
        concurrency: int = 8,
        seed: int = 0,
    ) -> None:
        self.model, self.base_url = model, base_url
        self.request: dict[str, Any] = {"temperature": temperature}
        if max_tokens:
            self.request["max_tokens"] = max_tokens
        self._options: dict[str, Any] = {
            "api_key_env": api_key_env,
            "timeout": timeout,
            "max_retries": max_retries,
            "concurrency": concurrency,
            "seed": seed,
        }
        self._cache_path = cache
        self._client: Any = None
        self._usage: dict[str, float] = {}
        self.calls = 0

    def _chat(self) -> Any:
        if self._client is None:
            self._client = open_client(self.model, self.base_url, self._cache_path, self._options)
        return self._client

    def act(self, messages: Sequence[ChatMessage], tools: Sequence[dict[str, Any]]) -> AgentTurn:
        request = dict(self.request)
        if tools:
            request["tool_choice"] = "auto"
        reply = self._chat().chat(list(messages), list(tools) or None, **request)
        self.calls += 1
        if reply.finish_reason == "length" and not reply.tool_calls:
            tail = (reply.content or "")[-80:]
            raise LLMModelError("truncated", f"reply cut off at the token limit: {tail!r}")
        calls = tuple(
            ToolCall(c.id or f"call_{self.calls}_{i}", c.name, c.arguments)
            for i, c in enumerate(reply.tool_calls)
        )
        return AgentTurn(reply.content or "", calls)

    def usage(self) -> dict[str, float]:
        if self._client is not None:
            self._usage = {k: float(v) for k, v in self._client.ledger.totals().items()}
        return dict(self._usage)

    def model_id(self) -> str:
        return self.model

    def config(self) -> str:
        url = f",base_url={self.base_url}" if self.base_url else ""
        return f"llm:model={self.model}{url}"

    def close(self) -> None:
        if self._client is None:
            return
        self.usage()
        close_client(self._client)
        self._client = None
