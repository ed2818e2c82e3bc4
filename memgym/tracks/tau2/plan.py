"""A τ²-bench task's gold plan as memgym oracle steps, with what each step needs to be seen.

The steps replay the task's gold actions in order: an agent-side action is a tool call; a
customer-side action (telecom's phone) is a text turn asking the customer to run it, naming the
tool and its JSON arguments (what the scripted customer acts on); the task's ``communicate_info``
is said in one last text turn. A step ``needs`` the argument values (or the information to
communicate) an agent must have seen to make it: the context-reading agent makes it only when
they are all in its view.
"""

from __future__ import annotations

import json
from typing import Any

from memgym.tracks.session import AgentTurn, OracleStep, ToolCall

MIN_NEED = 3
"""Values shorter than this ("0", "no") are not needs: they are visible almost anywhere."""


def needs_of(value: Any) -> tuple[str, ...]:
    """The strings an agent must have seen to write ``value`` as an argument, in order."""
    found: list[str] = []
    _collect(value, found)
    return tuple(dict.fromkeys(found))


def _collect(value: Any, found: list[str]) -> None:
    if isinstance(value, dict):
        for item in value.values():
            _collect(item, found)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _collect(item, found)
    elif isinstance(value, bool) or value is None:
        return
    elif isinstance(value, (int, float, str)):
        text = str(value)
        if len(text) >= MIN_NEED:
            found.append(text)


def ask_customer(name: str, arguments: dict[str, Any]) -> str:
    """The agent's request that the customer run a tool of theirs (the scripted customer runs
    every tool of its own named this way, with the JSON object that follows the name)."""
    args = json.dumps(arguments, sort_keys=True)
    return f"Please do this on your phone: {name} {args}"


def gold_steps(task: Any) -> tuple[OracleStep, ...]:
    """The gold plan of a τ²-bench ``Task``: its actions, then what it must communicate."""
    criteria = task.evaluation_criteria
    steps: list[OracleStep] = []
    for action in (criteria.actions or []) if criteria is not None else []:
        arguments = dict(action.arguments or {})
        needs = needs_of(arguments)
        if action.requestor == "user":
            steps.append(OracleStep(AgentTurn(ask_customer(action.name, arguments)), needs))
        else:
            text = json.dumps(arguments, sort_keys=True, separators=(",", ":"))
            turn = AgentTurn(tool_calls=(ToolCall("gold", action.name, text),))
            steps.append(OracleStep(turn, needs))
    info = list((criteria.communicate_info or []) if criteria is not None else [])
    if info:
        text = "To confirm: " + "; ".join(info) + "."
        steps.append(OracleStep(AgentTurn(text), tuple(i for i in info if len(i) >= MIN_NEED)))
    return tuple(steps)


def changes_world(task: Any, writes: frozenset[str]) -> bool:
    """Whether the task's gold changes the world (a write tool of the agent, or an action of the
    customer on its phone): a callback needs something to call back for."""
    criteria = task.evaluation_criteria
    actions = (criteria.actions or []) if criteria is not None else []
    return any(a.requestor == "user" or a.name in writes for a in actions)


def task_writes(task: Any, writes: frozenset[str]) -> tuple[tuple[str, str], ...]:
    """The agent-side write calls of ``task``'s gold in order: (tool name, JSON arguments with
    sorted keys)."""
    criteria = task.evaluation_criteria
    actions = (criteria.actions or []) if criteria is not None else []
    return tuple(
        (a.name, json.dumps(dict(a.arguments or {}), sort_keys=True))
        for a in actions
        if a.requestor != "user" and a.name in writes
    )
