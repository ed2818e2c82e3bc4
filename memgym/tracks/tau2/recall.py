"""Which τ²-bench tasks need memory when served as a callback, fixed by how the task is built.

A task is **memory-sensitive** when, served in two calls (the customer gives its request and
details in the first, asks the agent to go ahead in the callback, repeating nothing):

- its gold changes the world (a write tool, or an action on the customer's phone), so doing
  nothing fails it;
- its first gold step needs a detail only the customer gives (a value of the customer's
  scenario, or of the task's prior history, that the policy does not hold): the callback
  cannot begin without remembering the first call;
- every value every gold step needs is in the customer's first call, the policy, or what the
  earlier gold steps called and read: an agent that remembers the first call can finish it.

Reads are replayed once per domain on one world at its initial state (they change nothing);
a task with its own initial state gets its own world. Computed lazily, once per domain.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from typing import Any

from memgym.tracks.tau2 import loader
from memgym.tracks.tau2.customer import scenario_text
from memgym.tracks.tau2.plan import changes_world, gold_steps


@dataclass(frozen=True)
class Recall:
    """A task's memory profile: the details its callback needs from the first call (empty: it
    is not memory-sensitive) and why not, when it is not."""

    details: tuple[str, ...]
    reason: str = ""

    @property
    def sensitive(self) -> bool:
        return bool(self.details)


def first_call_text(task: Any) -> str:
    """What the customer's first call shows: its scenario and the task's prior history."""
    from memgym.tracks.tau2.session import render

    initial = task.initial_state
    history = render(list(initial.message_history or [])) if initial is not None else ""
    return scenario_text(task.user_scenario.instructions) + "\n" + history


@cache
def profiles(domain: str) -> dict[str, Recall]:
    """Every task of ``domain`` by id, with its memory profile."""
    info = loader.domain_info(domain)
    shared = loader.environment(domain)
    return {tid: _profile(task, info, shared, domain) for tid, task in loader.tasks(domain).items()}


def memory_tasks(domain: str) -> list[str]:
    """The memory-sensitive task ids of ``domain``, in τ²-bench's order."""
    return [tid for tid, p in profiles(domain).items() if p.sensitive]


def _profile(task: Any, info: loader.DomainInfo, shared: Any, domain: str) -> Recall:
    steps = gold_steps(task)
    if not steps or not changes_world(task, info.writes):
        return Recall((), "changes nothing")
    given = first_call_text(task)
    details = tuple(n for n in steps[0].needs if n in given and n not in info.policy)
    if not details:
        return Recall((), "its first step needs nothing only the customer gives")
    seen = [given, info.policy]
    env = shared if task.initial_state is None else _world(domain, task)
    from tau2.data_model.message import ToolCall as Tau2Call

    for step in steps:
        visible = "\n".join(seen)
        if not all(n in visible for n in step.needs):
            return Recall((), "a step needs a value no earlier step shows")
        for call in step.turn.tool_calls:
            seen.append(call.arguments)
            if call.name not in info.writes:
                request = Tau2Call(
                    id="recall", name=call.name, arguments=json.loads(call.arguments)
                )
                seen.append(str(env.get_response(request).content))
    return Recall(details)


def _world(domain: str, task: Any) -> Any:
    """A world set to the task's own initial state."""
    import copy

    env = loader.environment(domain)
    initial = task.initial_state
    env.set_state(
        initialization_data=initial.initialization_data,
        initialization_actions=initial.initialization_actions,
        message_history=copy.deepcopy(initial.message_history or []),
    )
    return env
