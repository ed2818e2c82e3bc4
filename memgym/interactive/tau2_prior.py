"""``tau2-prior``: the tau2 track's cheat that guesses from τ²-bench's public task set.

Issue #67's channel: a model has read τ²-bench's public tasks, so without remembering anything
of the shift it can make the writes the public tasks ask for. Per domain the cheat learns a few
fixed guesses, each the gold writes (every write call of one task, tool and arguments) of one
memory-sensitive public task, a stand-in for a model's prior (``prior_guesses``): first the
writes the most memory-sensitive public tasks share (``prior_writes``), then, for each kind of
value a renamed world renames beyond ids (``KINDS``: flight numbers, dates, product and item ids,
amounts), the writes that carry the most values of that kind, another task's than the guesses
before it. Under ``none``, when a step still
to come needs what is not in view (a callback), it makes the first guess's writes, one a turn;
when the world refuses a guess's first write (τ²-bench's "Error: ..."), it tries the next
guess; then it says it is done. On the public worlds its first guess wins every callback whose
gold writes it is (airline tasks 2 and 38, retail 41 and 42, two pairs of mock's), and, naming
values that exist there, always takes, so the later guesses are tried only where it is refused;
with the worlds renamed per seed (``memgym.tracks.tau2.rename``) every guessed id, flight,
date and item names nothing, so on the real track it must win nothing (``memgym audit``, the
tau2 gate).
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

KINDS = {
    "flights": re.compile(r'"flight_number": '),
    "dates": re.compile(r'"\d{4}-\d{2}-\d{2}"'),
    "items": re.compile(r'"\d{10}"'),
    "amounts": re.compile(r'"amount": '),
}
"""The kinds of value beyond ids that a guess may be keyed on, each found in a write's JSON
arguments: a flight number, an ISO date, a product or item id (ten digits), an amount."""


@cache
def prior_guesses(domain: str) -> tuple[tuple[Write, ...], ...]:
    """The cheat's guesses for ``domain``, in the order it tries them: ``prior_writes``, then
    per kind of ``KINDS`` the memory-sensitive public task's gold writes that carry the most
    values of that kind and is not a guess yet (ties: the commonest among those tasks, then
    τ²-bench's order; none of a kind that no other such write carries)."""
    from memgym.tracks.tau2 import loader, recall
    from memgym.tracks.tau2.plan import task_writes

    writes = loader.domain_info(domain).writes
    tasks = loader.tasks(domain)
    sensitive = Counter(task_writes(tasks[t], writes) for t in recall.memory_tasks(domain))
    guesses = [prior_writes(domain)] if prior_writes(domain) else []
    for pattern in KINDS.values():
        count = {w: sum(len(pattern.findall(a)) for _, a in w) for w in sensitive}
        ranked = sorted(  # sorted is stable: the commonest, then τ²-bench's order
            (w for w in sensitive if count[w] and w not in guesses), key=lambda w: -count[w]
        )
        guesses += ranked[:1]
    return tuple(guesses)


@cache
def prior_writes(domain: str) -> tuple[Write, ...]:
    """The first guess for ``domain``: the gold writes (every write of one task, in order) that
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


def refused(messages: Sequence[ChatMessage]) -> bool:
    """Whether the last tool result in ``messages`` is τ²-bench's refusal ("Error: ...")."""
    for m in reversed(messages):
        if m.get("role") == "tool":
            return str(m.get("content", "")).lstrip('"').startswith("Error")
    return False


@register_agent("tau2-prior")
class Tau2PriorAgent(Trick):
    """``context`` that, on a task it cannot do from its view, makes the domain's public gold
    writes instead, guess after guess while the world refuses one, one write a turn, then says
    it is done (stateless: its place is the id of the call the last tool result in view
    answers, ``prior-G-I`` for write I of guess G, and whether that result was a refusal)."""

    name = "tau2-prior"

    def act(self, messages: Sequence[ChatMessage], tools: Sequence[dict[str, Any]]) -> AgentTurn:
        # the loop makes a repeated id unique with a suffix ("prior-0-0_2"): a prefix match
        made = re.match(rf"{PRIOR}-(\d+)-(\d+)", last_call_id(messages))
        if made is None:
            return super().act(messages, tools)
        guess, index = int(made[1]), int(made[2])
        place = (guess + 1, 0) if index == 0 and refused(messages) else (guess, index + 1)
        return self._guess(self._guesses(tools), *place) or AgentTurn(DONE)

    def trick(
        self, messages: Sequence[ChatMessage], tools: Sequence[dict[str, Any]]
    ) -> ToolCall | None:
        turn = self._guess(self._guesses(tools), 0, 0)
        return turn.tool_calls[0] if turn is not None else None

    @staticmethod
    def _guesses(tools: Sequence[dict[str, Any]]) -> tuple[tuple[Write, ...], ...]:
        domain = domain_of(tools)
        return prior_guesses(domain) if domain is not None else ()

    @staticmethod
    def _guess(guesses: tuple[tuple[Write, ...], ...], guess: int, index: int) -> AgentTurn | None:
        """The turn making write ``index`` of guess ``guess`` (None: none is left)."""
        if guess >= len(guesses) or index >= len(guesses[guess]):
            return None
        name, arguments = guesses[guess][index]
        call = ToolCall(f"{PRIOR}-{guess}-{index}", name, arguments)
        return AgentTurn(tool_calls=(call,))
