"""Tool calls as plain text, for servers without function calling (``tools=text``).

The prompt lists the tools (``describe``); the model writes one call per line,
``CALL <tool> <JSON arguments>``, anywhere in its reply, and gets the results back in the next user
message, one ``RESULT <tool> <JSON>`` line per call, in order. Calls are checked by the same
``Toolset`` validation as native ones; a ``CALL`` line without a tool name is an unknown tool.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from memgym.llm.client import ToolCall
from memgym.llm.tools import Toolset

CALL = "CALL"
RESULT = "RESULT"
_CALL_LINE = re.compile(r"^[ \t]*CALL\b[ \t]*(\S*)[ \t]*(.*?)\s*$", re.MULTILINE)
_RESULT_LINE = re.compile(r"^[ \t]*RESULT\b[ \t]*(\S*)[ \t]*(.*?)\s*$", re.MULTILINE)


def describe(toolset: Toolset) -> str:
    """The prompt text that offers ``toolset`` to a model that cannot call functions natively."""
    lines = describe_head()
    for tool in toolset.tools.values():
        lines.append(f"- {tool.signature()}: {tool.description}")
    return "\n".join(lines)


def describe_head(example: str = 'memory_search {"query": "Orvona"}') -> list[str]:
    """The lines that open a text-mode tool list: how to call (``example``: a tool and its
    arguments) and where the results come."""
    return [
        "You have these tools. To call one, write a line of the form",
        f"{CALL} <tool> <JSON object of arguments>, e.g. {CALL} {example}.",
        (
            "You may write several such lines in one reply. The results come back in the next "
            f"message as {RESULT} lines, in order. A reply without a {CALL} line ends your turn."
        ),
    ]


def parse_calls(content: str | None) -> list[ToolCall]:
    """The calls written in a reply, in order (arguments as raw text, not yet checked)."""
    return [
        ToolCall(f"text_{i}", name, arguments)
        for i, (name, arguments) in enumerate(_CALL_LINE.findall(content or ""))
    ]


def render_calls(calls: Sequence[tuple[str, dict[str, Any] | str]]) -> str:
    """A reply making ``calls`` (name, arguments as a dict or raw text)."""
    return "\n".join(
        f"{CALL} {name} {args if isinstance(args, str) else json.dumps(args)}"
        for name, args in calls
    )


def render_results(results: Sequence[tuple[str, str]]) -> str:
    """The user message carrying the (tool name, JSON result) of each call, in order."""
    return "\n".join(f"{RESULT} {name or '-'} {content}" for name, content in results)


def parse_results(content: str | None) -> list[str]:
    """The JSON results in a results message, in order."""
    return [body for _, body in _RESULT_LINE.findall(content or "")]


def describe_schemas(schemas: Sequence[dict[str, Any]]) -> str:
    """``describe`` for tools given as OpenAI function schemas (an interactive session's)."""
    lines = describe_head(_example(schemas))
    for schema in schemas:
        function = schema.get("function") or {}
        parameters = function.get("parameters") or {}
        required = set(parameters.get("required") or ())
        params = ", ".join(
            f"{name}{'' if name in required else '?'}: {spec.get('type', 'any')}"
            for name, spec in (parameters.get("properties") or {}).items()
        )
        lines.append(f"- {function.get('name', '?')}({params}): {function.get('description', '')}")
    return "\n".join(lines)


def _example(schemas: Sequence[dict[str, Any]]) -> str:
    """An example call of the first tool: its name and its first argument."""
    function = (schemas[0].get("function") or {}) if schemas else {}
    names = list((function.get("parameters") or {}).get("properties") or {})
    args = json.dumps({names[0]: "..."}) if names else "{}"
    return f"{function.get('name', 'tool')} {args}"


def strip_calls(content: str | None) -> str:
    """A reply's text without its ``CALL`` lines (the calls travel as tool calls)."""
    return _CALL_LINE.sub("", content or "").strip()


def as_text(messages: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """A chat history with native tool calls as a server without tool calling reads it: each
    assistant turn's calls appended to its text as ``CALL`` lines, and the tool results that
    follow it as one user message of ``RESULT`` lines."""
    out: list[dict[str, Any]] = []
    names: dict[str, str] = {}
    results: list[tuple[str, str]] = []
    for message in messages:
        if message.get("role") == "tool":
            name = names.get(str(message.get("tool_call_id")), "")
            results.append((name, str(message.get("content") or "")))
            continue
        if results:
            out.append({"role": "user", "content": render_results(results)})
            results = []
        calls = message.get("tool_calls") or []
        if message.get("role") != "assistant" or not calls:
            out.append(message)
            continue
        pairs = []
        for c in calls:
            function = c.get("function") or {}
            names[str(c.get("id"))] = str(function.get("name", ""))
            pairs.append((str(function.get("name", "")), str(function.get("arguments") or "{}")))
        text = "\n".join(filter(None, [str(message.get("content") or ""), render_calls(pairs)]))
        out.append({"role": "assistant", "content": text})
    if results:
        out.append({"role": "user", "content": render_results(results)})
    return out
