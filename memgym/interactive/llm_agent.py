"""The ``llm`` agent: any OpenAI-compatible chat endpoint acting in an interactive session.

Every turn is one chat call with the view of the history and the session's tools (native
function calling, ``tool_choice: auto``, so servers that include tools in the prompt only on
request, such as llama.cpp's, do show them), and the track's name in the ``X-Memgym-Session``
header (what ``memgym serve`` answers a turn by). The reply's tool calls are passed on as they are:
the session validates them and answers a bad call with an error the model can correct.

It takes the model flags of ``run``, ``compare`` and ``eval`` as options:

- ``tools=text``: the tools are listed in the system prompt and called as ``CALL`` lines
  (``memgym.llm.textcalls``), the history's calls and results sent back as text, for servers
  without tool calling (``memgym train serve``);
- ``context_window=N``: a view that does not fit the window (memgym's count, with the margin of
  ``memgym.llm.fit``, beside the tools and the completion room) is a context overflow before
  anything is sent, so the loop forces the memory's compaction as a server's overflow would;
  ``max_tokens`` defaults to a quarter of the window (at most 512);
- ``slots=N``: the session's requests go to one of the server's N slots (``id_slot``,
  ``cache_prompt``), taken when the agent is built for a session (``make_agent``) and given
  back when it closes; the slot is written into the agent's recipe, so the agent each turn
  is built from uses it and takes none of its own;
- ``max_turns=N``: turns per task (the loop's ``turns_per_task``, default 30);
- ``max_tokens``, ``timeout``, ``cache``: as for the ``llm`` reasoner;
- ``journal=FILE``: a call cache whose answers count as calls made (``memgym.llm.cache``):
  ``memgym eval`` gives its sessions one, so a session killed half-way replays its calls when
  resumed instead of asking the model again (not with ``cache``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from memgym.llm.agent import MODES, TOOLS_HEADER
from memgym.llm.classify import LLMContextOverflow, LLMModelError
from memgym.llm.endpoint import close_client, open_client
from memgym.llm.fit import message_tokens, prompt_budget, window_max_tokens
from memgym.llm.headers import SESSION_HEADER
from memgym.llm.slots import slot_pool
from memgym.llm.textcalls import as_text, describe_schemas, parse_calls, strip_calls
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
        context_window: int = 0,
        slots: int = 0,
        tools: str = "native",
        max_turns: int = 0,
        slot: int = -1,
        journal: str = "",
    ) -> None:
        if tools not in MODES:
            raise ValueError(f"tools must be one of {', '.join(MODES)}, got {tools!r}")
        if cache and journal:
            raise ValueError("give cache or journal, not both (a journal is a call cache)")
        for key, value in (
            ("max_tokens", max_tokens),
            ("context_window", context_window),
            ("slots", slots),
            ("max_turns", max_turns),
        ):
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ValueError(f"{key} must be a non-negative integer, got {value!r}")
        self.model, self.base_url, self.mode = model, base_url, tools
        self.track_name = track.name
        self.context_window, self.max_turns = context_window, max_turns
        if context_window:
            max_tokens = window_max_tokens(context_window, max_tokens)
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
        self._cache_path = cache or journal
        self._journal = bool(journal)
        self._client: Any = None
        self._usage: dict[str, float] = {}
        self.calls = 0
        self.slots = slots
        self.slot: int | None = slot if slots and slot >= 0 else None
        self._owns_slot = bool(slots) and self.slot is None
        if self._owns_slot:  # the session's agent: its turns' agents are built with its slot
            self.slot = slot_pool(base_url, slots).take()
            self.recipe.kwargs["slot"] = self.slot

    def turn_limit(self) -> int | None:
        return self.max_turns or None

    def _chat(self) -> Any:
        if self._client is None:
            self._client = open_client(
                self.model, self.base_url, self._cache_path, self._options, self._journal
            )
        return self._client

    def act(self, messages: Sequence[ChatMessage], tools: Sequence[dict[str, Any]]) -> AgentTurn:
        request = dict(self.request)
        headers: dict[str, str] = {SESSION_HEADER: self.track_name}
        schemas: list[dict[str, Any]] | None = list(tools) or None
        outgoing: list[ChatMessage] = list(messages)
        if self.mode == "text":
            outgoing = with_tool_list(as_text(outgoing), describe_schemas(tools) if tools else "")
            headers[TOOLS_HEADER] = "text"
            schemas = None
        elif schemas:
            request["tool_choice"] = "auto"
        if self.context_window:
            self._check_fits(outgoing, schemas)
        if self.slot is not None:
            request.update(id_slot=self.slot, cache_prompt=True)
        reply = self._chat().chat(outgoing, schemas, headers=headers, **request)
        self.calls += 1
        if self.mode == "text":
            calls, content = parse_calls(reply.content), strip_calls(reply.content)
        else:
            calls, content = list(reply.tool_calls), reply.content or ""
        if reply.finish_reason == "length" and not calls:
            tail = (reply.content or "")[-80:]
            raise LLMModelError("truncated", f"reply cut off at the token limit: {tail!r}")
        return AgentTurn(
            content,
            tuple(
                ToolCall(c.id or f"call_{self.calls}_{i}", c.name, c.arguments)
                for i, c in enumerate(calls)
            ),
        )

    def _check_fits(
        self, messages: list[ChatMessage], schemas: list[dict[str, Any]] | None
    ) -> None:
        """A context overflow, before anything is sent, when ``messages`` and the tools do not
        fit the declared window beside the completion room."""
        budget = prompt_budget(self.context_window, self.request.get("max_tokens", 0), schemas)
        size = sum(message_tokens(m) for m in messages)
        if size > budget:
            raise LLMContextOverflow(
                f"the view is {size:,} memgym tokens; context_window {self.context_window:,} "
                f"leaves {max(budget, 0):,} for it (not sent)"
            )

    def usage(self) -> dict[str, float]:
        if self._client is not None:
            self._usage = {k: float(v) for k, v in self._client.ledger.totals().items()}
        return dict(self._usage)

    def model_id(self) -> str:
        return self.model

    def config(self) -> str:
        url = f",base_url={self.base_url}" if self.base_url else ""
        mode = ",tools=text" if self.mode == "text" else ""
        window = f",context_window={self.context_window}" if self.context_window else ""
        return f"llm:model={self.model}{url}{mode}{window}"

    def close(self) -> None:
        if self.slot is not None and self._owns_slot:
            slot_pool(self.base_url, self.slots).give(self.slot)
            self._owns_slot = False
        if self._client is None:
            return
        self.usage()
        close_client(self._client)
        self._client = None


def with_tool_list(messages: list[ChatMessage], tool_list: str) -> list[ChatMessage]:
    """``messages`` with ``tool_list`` appended to the first system message (or in one of its
    own before the rest when there is none)."""
    if not tool_list:
        return messages
    for i, m in enumerate(messages):
        if m.get("role") == "system" and isinstance(m.get("content"), str):
            return [
                *messages[:i],
                {**m, "content": f"{m['content']}\n\n{tool_list}"},
                *messages[i + 1 :],
            ]
    return [{"role": "system", "content": tool_list}, *messages]
