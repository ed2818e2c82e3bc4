"""Fitting a chat request to the model's context window, when the user declares it
(``context_window=N``, ``--context-window N``).

memgym cannot see the model's tokenizer, so sizes are memgym's own token counts
(``memgym.tokens``), plus ``MESSAGE_OVERHEAD`` per message for the chat template, and the room for
the prompt is ``(window - max_tokens) * TOKENIZER_MARGIN`` less the tool schemas. What gives way first is the memory's view, oldest first:
the messages before the prompt (``keep_from``) that are not system messages are dropped, the newest
dropped one cut to the tail that still fits. System messages, the prompt and the exchange after
it (tool calls and results) are never touched; when they alone are too long the request goes as it
is and the server's overflow error says so (scored ``context_overflow``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from memgym.tokens import count_tokens

MESSAGE_OVERHEAD = 4
"""Tokens a chat template adds around each message (role markers, separators)."""
TOKENIZER_MARGIN = 0.65
"""memgym tokens per model token that a prompt may use: a model's tokenizer counts more tokens than
memgym's counter (SmolLM2's: 1.27x to 1.44x on the events of the four tracks, measured)."""
MIN_PROMPT = 64
"""The least prompt room a declared window must leave (memgym tokens)."""
DEFAULT_COMPLETION = 512
"""``max_tokens`` sent with a declared window when none is given: at most a quarter of it."""


def completion_tokens(window: int, max_tokens: int) -> int:
    """The completion room to reserve (and send as ``max_tokens``) under ``window``."""
    return max_tokens if max_tokens else min(DEFAULT_COMPLETION, window // 4)


def window_max_tokens(window: int, max_tokens: int) -> int:
    """The ``max_tokens`` to send under a declared ``window`` (``completion_tokens``); a
    ValueError when the window leaves less than ``MIN_PROMPT`` of prompt room beside it."""
    max_tokens = completion_tokens(window, max_tokens)
    if prompt_budget(window, max_tokens) < MIN_PROMPT:
        raise ValueError(
            f"context_window {window} leaves no room for a prompt beside max_tokens {max_tokens}"
        )
    return max_tokens


def message_tokens(message: Mapping[str, Any]) -> int:
    """One message's size: its text, its tool calls' JSON and the template overhead."""
    content = message.get("content")
    text = content if isinstance(content, str) else json.dumps(content or "")
    calls = message.get("tool_calls")
    return count_tokens(text) + (count_tokens(json.dumps(calls)) if calls else 0) + MESSAGE_OVERHEAD


def prompt_budget(
    window: int, max_tokens: int, tools: Sequence[Mapping[str, Any]] | None = None
) -> int:
    """How many memgym tokens of messages fit ``window`` beside the completion and the tools."""
    schemas = count_tokens(json.dumps(list(tools))) if tools else 0
    room = window - completion_tokens(window, max_tokens)
    return int(room * TOKENIZER_MARGIN) - schemas


def fit_messages(
    messages: Sequence[Mapping[str, Any]], budget: int, keep_from: int
) -> tuple[list[Mapping[str, Any]], bool]:
    """``messages`` within ``budget`` tokens, dropping the view (the non-system messages before
    index ``keep_from``) oldest first; and whether anything was dropped or cut."""
    sizes = [message_tokens(m) for m in messages]
    total = sum(sizes)
    if total <= budget:
        return list(messages), False
    droppable = [i for i in range(min(keep_from, len(messages))) if messages[i]["role"] != "system"]
    dropped: set[int] = set()
    for i in droppable:
        if total <= budget:
            break
        dropped.add(i)
        total -= sizes[i]
    fitted: list[Mapping[str, Any]] = []
    last = max(dropped, default=-1)
    room = budget - total - MESSAGE_OVERHEAD
    for i, message in enumerate(messages):
        if i == last and room > 0 and isinstance(message.get("content"), str):
            if kept := tail(message["content"], room):
                fitted.append({**message, "content": kept})
        elif i not in dropped:
            fitted.append(message)
    return fitted, True


def tail(text: str, tokens: int) -> str:
    """The longest end of ``text`` (whole lines) within ``tokens``; may be empty."""
    kept: list[str] = []
    for line in reversed(text.splitlines()):
        tokens -= count_tokens(line) + 1
        if tokens < 0:
            break
        kept.append(line)
    return "\n".join(reversed(kept))
