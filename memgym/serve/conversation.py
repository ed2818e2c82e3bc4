"""Reading a tool-using conversation back, in either protocol: which calls the assistant made and
what came back for each. ``memgym serve`` is stateless per conversation, so this is how it knows
where a client stands."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from memgym.llm.client import ToolCall
from memgym.llm.textcalls import RESULT, parse_calls, parse_results

Exchange = tuple[ToolCall, str | None]
"""A call and its result (None while the conversation holds none)."""


def text_of(content: Any) -> str:
    """A message's text, whether a string or a list of content parts."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(p.get("text", "") for p in content if isinstance(p, dict))
    return ""


def is_results(message: Mapping[str, Any], text: bool) -> bool:
    """Whether ``message`` carries tool results rather than a prompt."""
    if message.get("role") == "tool":
        return True
    content = text_of(message.get("content")).lstrip()
    return text and message.get("role") == "user" and content.startswith(RESULT)


def last_prompt(messages: Sequence[Mapping[str, Any]], text: bool) -> int:
    """The index of the last user message that is a prompt (not tool results)."""
    for i in range(len(messages) - 1, -1, -1):
        if messages[i].get("role") == "user" and not is_results(messages[i], text):
            return i
    raise ValueError("the request holds no user message with a prompt")


def exchanges(messages: Sequence[Mapping[str, Any]], text: bool) -> list[Exchange]:
    """Every call the assistant made in ``messages``, in order, with its result."""
    return _text_exchanges(messages) if text else _native_exchanges(messages)


def _native_exchanges(messages: Sequence[Mapping[str, Any]]) -> list[Exchange]:
    calls: list[ToolCall] = []
    results: dict[str, str] = {}
    for m in messages:
        for call in m.get("tool_calls") or []:
            function = call.get("function") or {}
            calls.append(
                ToolCall(
                    str(call.get("id", "")),
                    str(function.get("name", "")),
                    str(function.get("arguments") or ""),
                )
            )
        if m.get("role") == "tool":
            results[str(m.get("tool_call_id", ""))] = text_of(m.get("content"))
    return [(c, results.get(c.id)) for c in calls]


def _text_exchanges(messages: Sequence[Mapping[str, Any]]) -> list[Exchange]:
    found: list[Exchange] = []
    for i, m in enumerate(messages):
        if m.get("role") != "assistant":
            continue
        calls = parse_calls(text_of(m.get("content")))
        after = messages[i + 1] if i + 1 < len(messages) else None
        results = parse_results(text_of(after.get("content"))) if after is not None else []
        if after is None or not is_results(after, True):
            results = []
        found.extend(
            (call, results[j] if j < len(results) else None) for j, call in enumerate(calls)
        )
    return found
