"""Chat histories as atomic units: what a memory strategy may keep or drop, never split.

A request's messages are cut into three parts:

- the **head**, pinned: the leading system (or developer) messages and the first user message
  (the task). It is always forwarded and never shown to the strategy;
- the **body**: every later unit, in order. A unit is one message, except that an assistant
  message with ``tool_calls`` (or a legacy ``function_call``) forms one unit with all the
  ``tool``/``function`` messages that follow it: a compaction keeps or drops the pair whole;
- the **live** unit: the body's last unit, which the model is replying to now. It is forwarded
  verbatim and reaches the strategy only once a later request has moved past it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

ChatMessage = Mapping[str, Any]
HEAD_ROLES = frozenset({"system", "developer"})
RESULT_ROLES = frozenset({"tool", "function"})


@dataclass(frozen=True)
class Unit:
    """One atomic piece of history: its messages, their text as a memory sees it, a digest."""

    messages: tuple[ChatMessage, ...]
    text: str
    digest: int


@dataclass(frozen=True)
class History:
    """A request's messages as pinned head, body units and the live unit (None when the request
    holds nothing after its head)."""

    head: tuple[ChatMessage, ...]
    body: tuple[Unit, ...]
    live: Unit | None


def text_of(content: Any) -> str:
    """A message's text, whether a string, a list of content parts, or absent."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(
            p.get("text", "")
            for p in content
            if isinstance(p, dict) and isinstance(p.get("text"), str)
        )
    return ""


def _calls(message: ChatMessage) -> list[Any]:
    calls = message.get("tool_calls")
    return calls if isinstance(calls, list) else []


def opens_pair(message: ChatMessage) -> bool:
    """Whether ``message`` is an assistant turn whose tool results must follow it."""
    return message.get("role") == "assistant" and bool(
        _calls(message) or message.get("function_call")
    )


def render(messages: Sequence[ChatMessage]) -> str:
    """The text a memory strategy sees for a unit. A lone user message is its content exactly
    (so a chat replay of a memgym stream counts the same tokens); anything else is written as
    role-tagged lines, tool calls with their arguments."""
    if len(messages) == 1 and messages[0].get("role") == "user":
        return text_of(messages[0].get("content"))
    lines: list[str] = []
    for m in messages:
        role = str(m.get("role", ""))
        text = text_of(m.get("content"))
        if role in RESULT_ROLES:
            lines.append(f"tool result ({m.get('name') or m.get('tool_call_id') or ''}): {text}")
            continue
        if text:
            lines.append(f"{role}: {text}")
        for call in _calls(m):
            fn = (call.get("function") or {}) if isinstance(call, dict) else {}
            lines.append(f"{role} calls {fn.get('name', '')}({fn.get('arguments', '')})")
        legacy = m.get("function_call")
        if isinstance(legacy, dict):
            lines.append(f"{role} calls {legacy.get('name', '')}({legacy.get('arguments', '')})")
    return "\n".join(lines)


def make_unit(messages: Sequence[ChatMessage]) -> Unit:
    """A unit over ``messages`` with their digest."""
    return Unit(tuple(messages), render(messages), digest(messages))


def digest(messages: Sequence[ChatMessage]) -> int:
    """A hash of ``messages``' exact content, to tell within this process whether a request
    repeats units seen before: a message of plain string fields is hashed as its sorted items
    (the common case, cheap), any other as its canonical JSON; the two forms are tagged."""
    parts: list[tuple[str, Any]] = []
    for m in messages:
        if all(isinstance(v, str) for v in m.values()):
            parts.append(("s", tuple(sorted(m.items()))))
        else:
            parts.append(("j", json.dumps(m, sort_keys=True, separators=(",", ":"), default=str)))
    return hash(tuple(parts))


def group(messages: Sequence[ChatMessage]) -> list[list[ChatMessage]]:
    """``messages`` cut into units: a tool-calling assistant message with every result message
    right after it; every other message alone (an orphan result too)."""
    units: list[list[ChatMessage]] = []
    open_pair = False
    for m in messages:
        if m.get("role") in RESULT_ROLES and open_pair:
            units[-1].append(m)
            continue
        units.append([m])
        open_pair = opens_pair(m)
    return units


def split(messages: Sequence[ChatMessage]) -> History:
    """A request's messages as head, body and live unit; ``ValueError`` for a non-list or a
    message that is not a JSON object with a role."""
    if not isinstance(messages, list):
        raise ValueError("'messages' must be a list of chat messages")  # noqa: TRY004
    for i, m in enumerate(messages):
        if not isinstance(m, dict) or not isinstance(m.get("role"), str):
            problem = f"messages[{i}] must be an object with a string 'role'"
            raise ValueError(problem)  # noqa: TRY004
    cut = 0
    while cut < len(messages) and messages[cut]["role"] in HEAD_ROLES:
        cut += 1
    if cut < len(messages) and messages[cut]["role"] == "user":
        cut += 1
    units = [make_unit(u) for u in group(messages[cut:])]
    live = units.pop() if units else None
    return History(tuple(messages[:cut]), tuple(units), live)


def flatten(history: History, body: Sequence[Sequence[ChatMessage]]) -> list[ChatMessage]:
    """The message list to forward: head, the given body units, then the live unit (the
    request's own message objects, not copies: nothing downstream changes them)."""
    out: list[ChatMessage] = list(history.head)
    for unit in body:
        out.extend(unit)
    if history.live is not None:
        out.extend(history.live.messages)
    return out


def dangling(messages: Sequence[ChatMessage]) -> list[str]:
    """Tool-call ids split from their partner: results with no call right before them, and calls
    whose result does not follow. Empty for a well-paired history."""
    problems: list[str] = []
    pending: set[str] = set()
    for m in messages:
        role = m.get("role")
        if role == "tool":
            call_id = str(m.get("tool_call_id", ""))
            if call_id in pending:
                pending.discard(call_id)
            else:
                problems.append(f"result without call: {call_id}")
            continue
        problems.extend(f"call without result: {c}" for c in sorted(pending))
        pending = {str(c.get("id", "")) for c in _calls(m) if isinstance(c, dict)}
    problems.extend(f"call without result: {c}" for c in sorted(pending))
    return problems
