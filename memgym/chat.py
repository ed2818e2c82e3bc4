"""Chat messages as OpenAI-compatible APIs take them back, shared by the LLM client and the
interactive sessions' agent turns."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def assistant_message(content: str, calls: Sequence[Any]) -> dict[str, Any]:
    """An assistant message as the chat API takes it back: its content and, when it made any,
    its tool calls (each with ``id``, ``name`` and ``arguments``)."""
    message: dict[str, Any] = {"role": "assistant", "content": content}
    if calls:
        message["tool_calls"] = [
            {"id": c.id, "type": "function", "function": {"name": c.name, "arguments": c.arguments}}
            for c in calls
        ]
    return message
