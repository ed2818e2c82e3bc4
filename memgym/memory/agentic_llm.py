"""Agent-managed memory written by a chat model: ``agentic-llm:model=...,base_url=...``.

The store and budget are the scripted ``agentic`` memory's (``budget_from_params``). Each event
that is not a question or a session marker goes to the model as one user message (``Event <n>:``
then the text), after a system message with the brief, the budget and, with ``tools=text``, the
tool list. The model gets the write tools (``memory_write``, ``memory_edit``, ``memory_delete``,
``memory_search``, ``memory_read``) and may call them for up to ``max_turns`` turns per event; a
reply without a call ends the event. A bad call gets an error result back, is counted in
``usage()["tool_errors"]`` and never changes the store; so does a refused one (over budget, unknown
id). A reply cut off at the token limit, or one the client cannot parse, ends the event and counts
as one error. A request too long for the model's window ends the event too (what the event said
is lost: the memory's failure), counted in ``usage()["overflows"]``. Infrastructure failures
that outlast the client's retries propagate.

``script=<policy>`` asks ``memgym serve`` to drive the writes as that scripted write policy would
(headers ``X-Memgym-Policy``, ``X-Memgym-Episode`` and ``X-Memgym-Writer``, which real endpoints
ignore); the store then takes that policy's budget (``perfect`` waives it), so an episode over HTTP
equals the in-process ``agentic:policy=<policy>`` one. With ``script=``, a call cache
(``cache=``) helps only to replay whole episodes: a partly cached episode skips requests the
server's mirror needs, and the server then refuses the next event as out of order.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Mapping
from typing import Any

from memgym.errors import ContextOverflow
from memgym.llm.agent import ToolAgent
from memgym.llm.classify import LLMModelError
from memgym.llm.headers import TRACK_HEADER
from memgym.memory.agentic import (
    SILENT_KINDS,
    StoreMemory,
    budget_from_params,
    policy_budget,
    policy_seed,
)
from memgym.memory.registry import register_memory
from memgym.memory.store import Budget, Store
from memgym.memory.tools import WRITE_TOOLS, execute
from memgym.memory.writers import WritePolicy, make_policy
from memgym.tracks.base import Track
from memgym.types import Event

POLICY_HEADER = "X-Memgym-Policy"
EPISODE_HEADER = "X-Memgym-Episode"
WRITER_HEADER = "X-Memgym-Writer"
"""JSON ``{"params": <track params>, "seed": <policy RNG seed>}`` for a scripted server's mirror."""

WRITER_PROMPT = (
    "You manage the memory of an agent that reads a long stream of events. Its brief:\n{brief}\n\n"
    "Your memory store is all the agent keeps: later it answers questions by searching the "
    "store, without seeing the stream again. Your budget: {budget}. Each user message is one "
    "event of the stream. Use the memory tools to keep what questions may need, up to date; "
    "reply without a tool call when you are done with the event."
)
_EVENT = re.compile(r"Event (\d+):\n")


def describe_budget(budget: Budget) -> str:
    """The budget in words, for the writer's prompt."""

    def amount(value: int | None, unit: str) -> str:
        return f"unlimited {unit}" if value is None else f"{value} {unit}"

    return (
        f"{amount(budget.max_writes, 'writes')} (new entries; edits and deletes use none, and "
        f"deleting does not give a write back), {amount(budget.max_tokens_per_write, 'tokens')} "
        f"per entry, {amount(budget.max_total_tokens, 'tokens')} in all"
    )


def event_message(index: int, text: str) -> str:
    """The user message showing event ``index`` (0-based, counting the events shown)."""
    return f"Event {index}:\n{text}"


def parse_event_message(content: str) -> tuple[int, str]:
    """The (index, text) of an ``event_message``; ``ValueError`` when it is not one."""
    match = _EVENT.match(content)
    if match is None:
        raise ValueError("the last user message is not an 'Event <n>:' message")
    return int(match.group(1)), content[match.end() :]


@register_memory("agentic-llm")
class LLMAgenticMemory(StoreMemory):
    """The budgeted store, written by a chat model through the memory tools."""

    name = "agentic-llm"

    def __init__(
        self,
        track: Track,
        model: str = "memgym-scripted",
        script: str = "",
        max_turns: int = 8,
        **options: Any,
    ) -> None:
        self.agent = ToolAgent(model, max_turns=max_turns, **options)
        self.track_name = track.name
        self.script: WritePolicy | None = make_policy(script) if script else None
        self.store: Store | None = None
        self.brief = self.system = ""
        self.headers: dict[str, str] = {}
        self.events = 0

    def reset(self, brief: str, params: Mapping[str, Any]) -> None:
        if self.store is not None:
            self.store.close()
        script = self.script
        budget = budget_from_params(params) if script is None else policy_budget(script, params)
        self.store = Store(budget)
        self.brief, self.events = brief, 0
        prompt = WRITER_PROMPT.format(brief=brief, budget=describe_budget(budget))
        tools = self.agent.prompt(WRITE_TOOLS)
        self.system = f"{prompt}\n\n{tools}" if tools else prompt
        self.headers = {TRACK_HEADER: self.track_name}
        if script is not None:
            writer = {"params": dict(params), "seed": policy_seed(script.name, brief, params)}
            self.headers[POLICY_HEADER] = script.name
            self.headers[EPISODE_HEADER] = uuid.uuid4().hex
            self.headers[WRITER_HEADER] = json.dumps(writer, sort_keys=True)

    def observe(self, event: Event) -> None:
        if event.kind in SILENT_KINDS:
            return
        store = self.store
        if store is None:
            raise RuntimeError("agentic-llm: observe() before reset()")
        messages: list[dict[str, Any]] = [
            {"role": "system", "content": self.system},
            {"role": "user", "content": event_message(self.events, event.text)},
        ]
        self.events += 1
        for _ in range(self.agent.max_turns):
            try:
                reply, calls = self.agent.ask(messages, WRITE_TOOLS, self.headers, 1)
            except ContextOverflow:
                return  # the ledger counts it in ``overflows``
            except LLMModelError:
                self.agent.tool_errors += 1
                return
            if not calls:
                return
            results = self.agent.run(WRITE_TOOLS, calls, lambda call: execute(store, call))
            self.agent.feed(messages, reply, calls, results)

    def usage(self) -> dict[str, float]:
        return self.agent.usage()

    def close(self) -> None:
        """Close the client and the store."""
        self.agent.close()
        if self.store is not None:
            self.store.close()
            self.store = None

    def config(self) -> str:
        script = f",script={self.script.name}" if self.script is not None else ""
        return f"agentic-llm:{self.agent.spec()}{script}"
