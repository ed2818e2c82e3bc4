"""Usage accounting of episodes: what a memory and a reasoner spent on LLM calls, added up.

A component reports its spend with ``usage() -> dict[str, float]`` (the ledger's totals: calls,
retries, failed, prompt and completion tokens, cost, plus ``tool_errors``); a component without
LLM calls reports nothing. Totals are plain key-wise sums.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from memgym.llm.accounting import RETRIES_PREFIX

if TYPE_CHECKING:
    from memgym.types import EpisodeResult


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


def retried(attempt: Callable[[], EpisodeResult], retries: int) -> EpisodeResult:
    """``attempt()``'s episode, run again while it ends ``infra_error``, up to ``retries`` more
    times; the usage of every attempt is added to the result's (``episode_retries`` counts the
    extra attempts)."""
    spent: list[dict[str, float]] = []
    for _ in range(retries + 1):
        result = attempt()
        spent.append(result.usage)
        if result.status != "infra_error":
            break
    if len(spent) > 1:
        result.usage = add_usage([*spent, {"episode_retries": float(len(spent) - 1)}])
    return result


def tokens(usage: Mapping[str, float]) -> int:
    """Prompt plus completion tokens."""
    return int(usage.get("prompt_tokens", 0) + usage.get("completion_tokens", 0))


def retry_reasons(usage: Mapping[str, float]) -> str:
    """`` (29 rate_limited, 56 server_error)``: the retries by failure reason, or ``""``."""
    parts = [
        f"{int(n)} {key[len(RETRIES_PREFIX) :]}"
        for key, n in sorted(usage.items())
        if key.startswith(RETRIES_PREFIX) and n
    ]
    return f" ({', '.join(parts)})" if parts else ""


def _cached_tokens(usage: Mapping[str, float]) -> str:
    """`` of N tokens`` the cached calls cost when first made; empty when none."""
    n = int(usage.get("cached_prompt_tokens", 0) + usage.get("cached_completion_tokens", 0))
    return f" of {n} tokens" if n else ""


def describe(usage: Mapping[str, float]) -> str:
    """One line: calls, cache hits, retries, failed calls, context overflows (when any), tool
    errors, tokens and cost."""
    if not usage.get("calls"):
        return "no LLM calls"
    text = (
        f"{int(usage['calls'])} LLM calls ({int(usage.get('cached', 0))} cached{_cached_tokens(usage)}), "
        f"{int(usage.get('retries', 0))} retries{retry_reasons(usage)}, "
        f"{int(usage.get('failed', 0))} failed, "
        + (f"{int(usage['overflows'])} context overflows, " if usage.get("overflows") else "")
        + f"{int(usage.get('tool_errors', 0))} tool errors, "
        f"{int(usage.get('prompt_tokens', 0))} prompt + "
        f"{int(usage.get('completion_tokens', 0))} completion tokens"
    )
    if usage.get("cost_usd"):
        text += f", ${usage['cost_usd']:.4f}"
    return text


def _short(n: int) -> str:
    """``n`` in at most five characters: 950, 12.3k, 169k, 4.5M."""
    for scale, unit in ((1e6, "M"), (1e3, "k")):
        if n >= scale:
            value = n / scale
            return f"{value:.1f}{unit}" if value < 100 else f"{value:.0f}{unit}"
    return str(n)


def progress_stats(usage: Mapping[str, float], infra_episodes: int = 0) -> str:
    """The live part of a run's progress bar: calls, tokens, retries and errors (failed calls
    plus ``infra_error`` episodes), short enough to leave the bar and its ETA room in 80 columns."""
    errors = int(usage.get("failed", 0)) + infra_episodes
    return (
        f"{int(usage.get('calls', 0))} calls · {_short(tokens(usage))} tok · "
        f"{int(usage.get('retries', 0))} retries · {errors} errors"
    )
