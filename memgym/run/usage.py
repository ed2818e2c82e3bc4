"""Usage accounting of episodes: what a memory and a reasoner spent on LLM calls, added up.

A component reports its spend with ``usage() -> dict[str, float]`` (the ledger's totals: calls,
retries, failed, prompt and completion tokens, cost, plus ``tool_errors``); a component without
LLM calls reports nothing. Totals are plain key-wise sums.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any


def component_usage(component: Any) -> dict[str, float]:
    """``component.usage()`` when it has one; else its LLM client's ledger totals, if it made one."""
    usage = getattr(component, "usage", None)
    if callable(usage):
        return {k: float(v) for k, v in usage().items()}
    # Bridge for components that keep a SyncLLMClient but predate ``usage()``.
    client = getattr(component, "_client", None)
    ledger = getattr(client, "ledger", None)
    if ledger is None:
        return {}
    totals = {k: float(v) for k, v in ledger.totals().items()}
    tool_errors = getattr(component, "tool_errors", None)
    if isinstance(tool_errors, int):
        totals["tool_errors"] = float(tool_errors)
    return totals


def add_usage(parts: Iterable[Mapping[str, float]]) -> dict[str, float]:
    """The key-wise sum of usage dicts."""
    total: dict[str, float] = {}
    for part in parts:
        for key, value in part.items():
            total[key] = total.get(key, 0.0) + value
    return total


def tokens(usage: Mapping[str, float]) -> int:
    """Prompt plus completion tokens."""
    return int(usage.get("prompt_tokens", 0) + usage.get("completion_tokens", 0))


def describe(usage: Mapping[str, float]) -> str:
    """One line: calls, cache hits, retries, failed calls, tool errors, tokens and cost."""
    if not usage.get("calls"):
        return "no LLM calls"
    text = (
        f"{int(usage['calls'])} LLM calls ({int(usage.get('cached', 0))} cached), "
        f"{int(usage.get('retries', 0))} retries, {int(usage.get('failed', 0))} failed, "
        f"{int(usage.get('tool_errors', 0))} tool errors, "
        f"{int(usage.get('prompt_tokens', 0))} prompt + "
        f"{int(usage.get('completion_tokens', 0))} completion tokens"
    )
    if usage.get("cost_usd"):
        text += f", ${usage['cost_usd']:.4f}"
    return text
