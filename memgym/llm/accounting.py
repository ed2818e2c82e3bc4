"""Token usage and cost, per call: what every LLM call costs, and a ledger that adds them up."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

OVERFLOW = "context_length"
"""The status of a call whose prompt did not fit the model's window (counted in ``overflows``)."""
RETRIES_PREFIX = "retries_"
"""Usage keys ``retries_<reason>`` count the retries of each failure reason."""

Prices = Mapping[str, tuple[float, float]]
"""model -> (USD per million prompt tokens, USD per million completion tokens)."""


@dataclass(frozen=True)
class Usage:
    """Tokens one call used, as the endpoint reported them (0 when it reported none)."""

    prompt_tokens: int = 0
    completion_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


def cost(usage: Usage, model: str, prices: Prices | None) -> float | None:
    """USD for ``usage`` on ``model``; None when there is no price for the model."""
    if not prices or model not in prices:
        return None
    per_prompt, per_completion = prices[model]
    return (usage.prompt_tokens * per_prompt + usage.completion_tokens * per_completion) / 1e6


@dataclass(frozen=True)
class CallRecord:
    """One call as the ledger keeps it."""

    model: str
    usage: Usage
    cost: float | None
    latency_s: float
    attempts: int
    cached: bool
    status: str = "ok"
    retried: tuple[str, ...] = ()
    """The failure reason behind each retry of this call, in order (e.g. ``rate_limited``)."""


@dataclass
class Ledger:
    """Every call a client made, with running totals; safe to share between threads."""

    calls: list[CallRecord] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, record: CallRecord) -> None:
        with self._lock:
            self.calls.append(record)

    def totals(self) -> dict[str, float]:
        """Calls, HTTP attempts, retries, cache hits, failures (``failed``: the infrastructure's;
        ``overflows``: prompts too long for the model's window), tokens (``cached_*_tokens``: those
        the cache answered, as the server counted them when the call was first made), cost and model time
        (``latency_s``) so far, plus a ``retries_<reason>`` count for each reason retried
        (``retries_rate_limited``, ...)."""
        with self._lock:
            calls = list(self.calls)
        live = [c for c in calls if not c.cached]
        reasons = Counter(reason for c in live for reason in c.retried)
        return {
            "calls": len(calls),
            "cached": len(calls) - len(live),
            "attempts": sum(c.attempts for c in live),
            "retries": sum(max(0, c.attempts - 1) for c in live),
            "failed": sum(c.status not in ("ok", OVERFLOW) for c in calls),
            "overflows": sum(c.status == OVERFLOW for c in calls),
            "prompt_tokens": sum(c.usage.prompt_tokens for c in live),
            "completion_tokens": sum(c.usage.completion_tokens for c in live),
            "cached_prompt_tokens": sum(c.usage.prompt_tokens for c in calls if c.cached),
            "cached_completion_tokens": sum(c.usage.completion_tokens for c in calls if c.cached),
            "cost_usd": sum(c.cost or 0.0 for c in live),
            "latency_s": sum(c.latency_s for c in live),
            **{f"{RETRIES_PREFIX}{reason}": n for reason, n in sorted(reasons.items())},
        }
