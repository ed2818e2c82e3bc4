"""The memory tool an LLM reasoner gets when its view holds a store: its schema, the checking of
a model's call (every bad call is a model error with a reason) and the JSON of its results.

The result format is shared with ``memgym serve``, whose scripted replies read search hits back
from the tool messages of the conversation.
"""

from __future__ import annotations

import json
from typing import Any

from memgym.llm.classify import LLMModelError
from memgym.memory.store import Entry, Store

SEARCH = "search_memory"
DEFAULT_K = 5
MAX_K = 50

SEARCH_TOOL: dict[str, Any] = {
    "type": "function",
    "function": {
        "name": SEARCH,
        "description": (
            "Search your memory store. Returns up to k entries holding any word of the query, "
            'best first, as JSON: {"hits": [{"id": ..., "text": ...}]}.'
        ),
        "parameters": {
            "type": "object",
            "properties": {
                "query": {"type": "string", "description": "words to look for, e.g. a name"},
                "k": {"type": "integer", "minimum": 1, "maximum": MAX_K, "default": DEFAULT_K},
            },
            "required": ["query"],
            "additionalProperties": False,
        },
    },
}


def search_arguments(name: str, arguments: str) -> tuple[str, int]:
    """The (query, k) of a model's tool call; ``LLMModelError`` when it is not a valid search."""
    if name != SEARCH:
        raise LLMModelError("unknown_tool", f"no tool named {name!r}; the only tool is {SEARCH}")
    try:
        args = json.loads(arguments or "{}")
    except json.JSONDecodeError as exc:
        raise LLMModelError("invalid_tool_json", f"arguments are not JSON ({exc})") from None
    if not isinstance(args, dict):
        raise LLMModelError("wrong_arguments", "arguments must be a JSON object")
    unknown = set(args) - {"query", "k"}
    query, k = args.get("query"), args.get("k", DEFAULT_K)
    if unknown or not isinstance(query, str):
        raise LLMModelError("wrong_arguments", f"expected {{query: string, k?: int}}, got {args}")
    if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= MAX_K:
        raise LLMModelError("wrong_arguments", f"k must be an integer in 1..{MAX_K}, got {k!r}")
    return query, k


def run_search(store: Store, query: str, k: int) -> str:
    """The tool result for a valid search, as JSON text."""
    result = store.search(query, k=k)
    if not result.ok:
        return error_result(result.error or "search refused")
    return json.dumps({"hits": [{"id": e.id, "text": e.text} for e in result.hits]})


def error_result(message: str) -> str:
    """The tool result telling the model its call failed and why."""
    return json.dumps({"error": message})


def parse_hits(content: str) -> list[Entry] | None:
    """The entries of a search result's JSON text; None when it is an error or not a result."""
    try:
        body = json.loads(content)
        return [Entry(int(h["id"]), str(h["text"]), 0) for h in body["hits"]]
    except (json.JSONDecodeError, KeyError, TypeError, ValueError):
        return None
