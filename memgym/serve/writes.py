"""The scripted server driving an ``agentic-llm`` writer: per episode, a mirror of a scripted write
policy with its own ``Store``.

A write request (header ``X-Memgym-Policy``) shows one event. The first time the server sees event
``n`` of an episode it runs the policy on its mirror and records the store operations the policy
made (refused ones included: they change nothing on either side). It replies with the operations
the conversation has not yet carried out, as tool calls (several per reply), and once every one
has a result that is not an invalid-call error, with a plain reply that ends the event. The client
runs the calls on its real store, so both stores stay identical, ids included.

State is bounded: at most ``max_episodes`` mirrors are kept, least recently used evicted first. A
request for an evicted (or never started) episode past its first event is refused (400); events
must come in order, and the current event may be asked again (a retry, or a later turn).
"""

from __future__ import annotations

import json
import random
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from memgym.claims import Claim
from memgym.llm.tools import is_call_error
from memgym.memory.agentic import policy_budget
from memgym.memory.agentic_llm import (
    EPISODE_HEADER,
    POLICY_HEADER,
    WRITER_HEADER,
    parse_event_message,
)
from memgym.memory.store import Budget, Store, StoreResult
from memgym.memory.tools import DELETE, EDIT, READ, SEARCH, WRITE
from memgym.memory.writers import make_policy
from memgym.serve.conversation import exchanges, last_prompt, text_of

MAX_EPISODES = 64
MAX_CALLS = 16
"""Tool calls per reply at most; the rest follow in later turns."""
DONE = "Done."

Op = tuple[str, dict[str, Any]]


class RecordingStore(Store):
    """A ``Store`` that records every operation made on it as a (tool name, arguments) pair."""

    def __init__(self, budget: Budget) -> None:
        super().__init__(budget)
        self.ops: list[Op] = []

    def write(self, text: str) -> StoreResult:
        self.ops.append((WRITE.name, {"text": text}))
        return super().write(text)

    def edit(self, entry_id: int, text: str) -> StoreResult:
        self.ops.append((EDIT.name, {"id": entry_id, "text": text}))
        return super().edit(entry_id, text)

    def delete(self, entry_id: int) -> StoreResult:
        self.ops.append((DELETE.name, {"id": entry_id}))
        return super().delete(entry_id)

    def read(self, entry_id: int) -> StoreResult:
        self.ops.append((READ.name, {"id": entry_id}))
        return super().read(entry_id)

    def search(self, query: str, k: int = 5) -> StoreResult:
        self.ops.append((SEARCH.name, {"query": query, "k": k}))
        return super().search(query, k)


class Mirror:
    """One episode's scripted policy and store, and the operations of its latest event."""

    def __init__(self, policy: str, params: Mapping[str, Any], seed: str) -> None:
        self.policy = make_policy(policy)
        self.store = RecordingStore(policy_budget(self.policy, params))
        self.policy.reset(self.store, params, random.Random(seed))
        self.events = 0
        self.ops: list[Op] = []

    def ops_for(self, index: int, text: str, read: Callable[[str], list[Claim]]) -> list[Op]:
        """The operations the policy makes for event ``index`` (run once, then remembered)."""
        if index == self.events - 1:
            return self.ops
        if index != self.events:
            raise ValueError(f"event {index} out of order: this episode is at event {self.events}")
        self.store.ops = []
        self.policy.on_event(text, read(text))
        self.ops, self.events = self.store.ops, self.events + 1
        return self.ops


class Mirrors:
    """Per-episode mirrors, least recently used evicted beyond ``max_episodes``.

    Every mirror lives on one private worker thread (an SQLite connection stays on the thread
    that made it), so requests from any handler thread are served one at a time, in order.
    """

    def __init__(self, max_episodes: int = MAX_EPISODES) -> None:
        if max_episodes < 1:
            raise ValueError(f"max_episodes must be at least 1, got {max_episodes}")
        self.max_episodes = max_episodes
        self._mirrors: OrderedDict[str, Mirror] = OrderedDict()
        self._worker = ThreadPoolExecutor(1, thread_name_prefix="memgym-mirrors")

    def __len__(self) -> int:
        return len(self._mirrors)

    def episodes(self) -> list[str]:
        """The ids of the kept episodes, least recently used first."""
        return list(self._mirrors)

    def ops(
        self,
        episode: str,
        policy: str,
        params: Mapping[str, Any],
        seed: str,
        event: tuple[int, str],
        read: Callable[[str], list[Claim]],
    ) -> list[Op]:
        """The operations of ``event`` (index, text) in ``episode``, run on the worker thread."""
        index, text = event
        work = self._worker.submit(
            lambda: self._get(episode, policy, params, seed, index).ops_for(index, text, read)
        )
        return work.result()

    def _get(
        self, episode: str, policy: str, params: Mapping[str, Any], seed: str, index: int
    ) -> Mirror:
        """The episode's mirror; a new one at its first event."""
        mirror = self._mirrors.get(episode)
        if mirror is None:
            if index != 0:
                raise ValueError(
                    f"unknown episode {episode!r} at event {index}: never started, or evicted "
                    f"(the server keeps {self.max_episodes} episodes; see --max-episodes)"
                )
            mirror = self._mirrors[episode] = Mirror(policy, params, seed)
            while len(self._mirrors) > self.max_episodes:
                _, old = self._mirrors.popitem(last=False)
                old.store.close()
        elif mirror.policy.name != policy:
            raise ValueError(
                f"episode {episode!r} runs policy {mirror.policy.name!r}, not {policy!r}"
            )
        self._mirrors.move_to_end(episode)
        return mirror

    def close(self) -> None:
        """Close every mirror's store and stop the worker."""
        self._worker.submit(self._close).result()
        self._worker.shutdown()

    def _close(self) -> None:
        for mirror in self._mirrors.values():
            mirror.store.close()
        self._mirrors.clear()


def write_reply(
    mirrors: Mirrors,
    headers: Mapping[str, str],
    messages: Sequence[Mapping[str, Any]],
    text: bool,
    read: Callable[[str], list[Claim]],
) -> tuple[list[Op], str | None]:
    """The next turn of a write conversation: the pending calls, or (no calls) ``DONE``."""
    try:
        writer = json.loads(headers[WRITER_HEADER])
        params, seed = writer["params"], str(writer["seed"])
        episode, policy = headers[EPISODE_HEADER], headers[POLICY_HEADER]
    except (KeyError, TypeError, json.JSONDecodeError) as exc:
        raise ValueError(
            f"a write request needs the {EPISODE_HEADER} header and {WRITER_HEADER} as JSON "
            f'{{"params": ..., "seed": ...}} ({type(exc).__name__}: {exc})'
        ) from None
    asked = last_prompt(messages, text)
    index, event = parse_event_message(text_of(messages[asked].get("content")))
    ops = mirrors.ops(episode, policy, params, seed, (index, event), read)
    done = sum(
        result is not None and not is_call_error(result)
        for _, result in exchanges(messages[asked + 1 :], text)
    )
    pending = ops[done:]
    return (pending[:MAX_CALLS], None) if pending else ([], DONE)
