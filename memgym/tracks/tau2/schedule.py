"""Which τ²-bench tasks one session serves, and the order of its calls (shifts and callbacks).

A session is a shift: one agent serves ``customers`` tasks of one domain in a row, in one
growing history. Seed ``s`` of domains ``D`` serves domain ``D[s % len(D)]`` and its tasks
``k*K .. k*K+K-1`` (wrapping; ``k = s // len(D)``, ``K = customers``) in a seeded order, so seeds
``0 .. ceil(n/K)*len(D) - 1`` cover every task of every domain once.

``callbacks`` of those tasks are memory-sensitive ones (``recall``), each served in two calls: a
first call where the customer tells its request and details and says it will call back, placed
``gap`` calls before the callback, where it asks the agent to go ahead without repeating
anything. Only the callback is verified. The other tasks are served in one call (the first task
of a shift is always one of those).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from memgym.tracks.tau2.customer import Part


@dataclass(frozen=True)
class Call:
    """One call of the shift: the task (its index in the session's task order) and its part."""

    task: int
    part: Part


def pick_tasks(ids: Sequence[str], chunk: int, customers: int) -> list[str]:
    """Chunk ``chunk`` of ``customers`` task ids (wrapping around ``ids``)."""
    start = chunk * customers
    return [ids[(start + i) % len(ids)] for i in range(min(customers, len(ids)))]


def order_tasks(served: Sequence[str], recalled: Sequence[str], rng: random.Random) -> list[str]:
    """The shift's task order: a task served in one call first, then the other ``served`` and
    the ``recalled`` tasks in a seeded order."""
    whole = list(served)
    rng.shuffle(whole)
    rest = [*whole[1:], *recalled]
    rng.shuffle(rest)
    return [*whole[:1], *rest]


def plan_calls(
    changing: Sequence[bool], callbacks: int, gap: int, rng: random.Random
) -> list[Call]:
    """The calls serving tasks ``0..n-1`` in order (``changing[i]``: task ``i`` changes
    something), with up to ``callbacks`` of them split into a first call and a callback."""
    eligible = [i for i in range(1, len(changing)) if changing[i]]
    chosen = sorted(rng.sample(eligible, min(callbacks, len(eligible))))
    firsts: dict[int, list[int]] = {}
    for task in chosen:
        firsts.setdefault(max(1, task - gap), []).append(task)
    calls: list[Call] = []
    for task in range(len(changing)):
        calls += [Call(early, "first") for early in firsts.get(task, [])]
        calls.append(Call(task, "callback" if task in chosen else "whole"))
    return calls
