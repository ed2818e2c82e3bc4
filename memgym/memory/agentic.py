"""Agent-managed memory: a budgeted store written by the agent itself.

Here the agent is a scripted write policy (``memgym.memory.writers``); the LLM-driven variant
(``agentic-llm``, ``memgym.memory.agentic_llm``) writes through tool calls to the same Store under
the same budget. At a question the reasoner
gets the brief and the store, and must search it: reading the whole store is not free.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from typing import Any

from memgym.claims import Claim
from memgym.memory.base import Memory
from memgym.memory.registry import register_memory
from memgym.memory.store import Budget, Store
from memgym.memory.writers import WritePolicy, make_policy
from memgym.tracks.base import Track
from memgym.types import Event, Message, Question, View

SILENT_KINDS = frozenset({"question", "session"})


def budget_from_params(params: Mapping[str, Any]) -> Budget:
    """The store budget a track's params ask for (writes, tokens per write, total tokens)."""
    writes = params.get("write_budget")
    per_write = params.get("max_write_tokens")
    total = writes * per_write if writes is not None and per_write is not None else None
    return Budget(max_writes=writes, max_tokens_per_write=per_write, max_total_tokens=total)


def policy_budget(policy: WritePolicy, params: Mapping[str, Any]) -> Budget:
    """The budget a scripted policy writes under: none for a policy that waives it."""
    return Budget() if policy.waives_budget else budget_from_params(params)


def policy_seed(policy: str, brief: str, params: Mapping[str, Any]) -> str:
    """The seed of a scripted policy's RNG for an episode (``memgym serve`` mirrors use it too)."""
    return f"{policy}|{brief}|{sorted(params.items())}"


class StoreMemory(Memory):
    """A memory whose reasoner gets the brief and the budgeted store (``store``, set by
    ``reset``): ``agentic`` and ``agentic-llm``, which differ only in who writes the store."""

    store: Store | None
    brief: str

    def recall(self, question: Question) -> View:
        return View(messages=[Message(role="system", content=self.brief)], store=self.store)

    @property
    def writes_used(self) -> int:
        return 0 if self.store is None else self.store.writes_used

    @property
    def tokens_stored(self) -> int:
        return 0 if self.store is None else self.store.tokens_used


@register_memory("agentic")
class AgenticMemory(StoreMemory):
    """The budgeted store, written by a scripted write policy."""

    name = "agentic"

    def __init__(self, track: Track, policy: str = "strategic") -> None:
        self.policy = make_policy(policy)
        self.read: Callable[[str], list[Claim]] = track.read_cached
        self.store: Store | None = None
        self.brief = ""

    def reset(self, brief: str, params: Mapping[str, Any]) -> None:
        if self.store is not None:
            self.store.close()
        self.store = Store(policy_budget(self.policy, params))
        self.brief = brief
        rng = random.Random(policy_seed(self.policy.name, brief, params))
        self.policy.reset(self.store, params, rng)

    def observe(self, event: Event) -> None:
        if event.kind in SILENT_KINDS:
            return
        self.policy.on_event(event.text, self.read(event.text))

    def config(self) -> str:
        return f"agentic:policy={self.policy.name}"
