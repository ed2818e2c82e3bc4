"""``tau2-prior``: the tau2 track's cheat that guesses from τ²-bench's public task set.

Issue #67's channel: a model has read τ²-bench's public tasks, so without remembering anything
of the shift it can make the write the public tasks most often ask for. Per domain the cheat
learns one fixed guess, the gold writes (every write call of one task, tool and arguments) that
the most memory-sensitive public tasks share (``prior_writes``), a stand-in for a model's prior.
Under ``none``, when a step still to come needs what is not in view (a callback), it makes those
writes, one a turn, then says it is done. On the public worlds it wins every callback whose
gold writes are the guess (airline tasks 2 and 38, retail 41 and 42, two pairs of mock's); with the worlds renamed per seed (``memgym.tracks.tau2.rename``) the guessed
ids name nothing, so on the real track it must win nothing (``memgym audit``, the tau2 gate).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from functools import cache
from typing import Any

from memgym.interactive.cheats import Trick, last_call_id
from memgym.tracks.agent import DONE, register_agent
from memgym.tracks.session import AgentTurn, ChatMessage, ToolCall

PRIOR = "prior"


Write = tuple[str, str]
"""A write call: tool name, JSON arguments (keys sorted)."""


@cache
def prior_writes(domain: str) -> tuple[Write, ...]:
    """The fixed guess for ``domain``: the gold writes (every write of one task, in order) that
    the most memory-sensitive public tasks share, ties broken by the most public tasks, then
    τ²-bench's order (empty: no task writes)."""
    from memgym.tracks.tau2 import loader, recall
    from memgym.tracks.tau2.plan import task_writes

    writes = loader.domain_info(domain).writes
    every = {tid: task_writes(t, writes) for tid, t in loader.tasks(domain).items()}
    sensitive = Counter(every[tid] for tid in recall.memory_tasks(domain))
    public = Counter(every.values())
    ranked = sorted(
        (w for w in public if w), key=lambda w: (-sensitive[w], -public[w])
    )  # sorted is stable: τ²-bench's order breaks the last ties
    return ranked[0] if ranked else ()


@cache
def _domain_by_tools() -> dict[frozenset[str], str]:
    from memgym.tracks.tau2 import loader

    return {
        frozenset(t["function"]["name"] for t in loader.domain_info(d).tools): d
        for d in loader.DOMAINS
    }


def domain_of(tools: Sequence[dict[str, Any]]) -> str | None:
    """The τ²-bench domain whose agent tools are exactly ``tools`` (None: no domain's)."""
    names = frozenset(str((t.get("function") or {}).get("name", "")) for t in tools)
    return _domain_by_tools().get(names)


@register_agent("tau2-prior")
class Tau2PriorAgent(Trick):
    """``context`` that, on a task it cannot do from its view, makes the domain's commonest
    public gold writes instead, one a turn, then says it is done (stateless: its place in the
    guess is the id of the call the last tool result in view answers)."""

    name = "tau2-prior"

    def act(self, messages: Sequence[ChatMessage], tools: Sequence[dict[str, Any]]) -> AgentTurn:
        made = re.match(rf"{PRIOR}-(\d+)", last_call_id(messages))
        if made is None:
            return super().act(messages, tools)
        domain = domain_of(tools)
        guess = prior_writes(domain) if domain is not None else ()
        return self._guess(guess, int(made[1]) + 1) or AgentTurn(DONE)

    def trick(
        self, messages: Sequence[ChatMessage], tools: Sequence[dict[str, Any]]
    ) -> ToolCall | None:
        domain = domain_of(tools)
        turn = self._guess(prior_writes(domain) if domain is not None else (), 0)
        return turn.tool_calls[0] if turn is not None else None

    @staticmethod
    def _guess(guess: tuple[Write, ...], index: int) -> AgentTurn | None:
        """The turn making write ``index`` of ``guess`` (None: none is left)."""
        if index >= len(guess):
            return None
        name, arguments = guess[index]
        return AgentTurn(tool_calls=(ToolCall(f"{PRIOR}-{index}", name, arguments),))
