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
    lines = [
        "You have these tools. To call one, write a line of the form",
        f'{CALL} <tool> <JSON object of arguments>, e.g. {CALL} memory_search {{"query": "Orvona"}}.',
        (
            "You may write several such lines in one reply. The results come back in the next "
            f"message as {RESULT} lines, in order. A reply without a {CALL} line ends your turn."
        ),
    ]
    for tool in toolset.tools.values():
        lines.append(f"- {tool.signature()}: {tool.description}")
    return "\n".join(lines)


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
