"""Seeded fault injection for ``memgym serve``: rate limits, server errors, latency, malformed
tool-call JSON, tool calls with wrong arguments and truncated replies. Draws come from one
``random.Random(seed)`` under a lock, so a sequential client sees the same faults on every run."""

from __future__ import annotations

import hashlib
import random
import threading
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Faults:
    """Fault rates (0..1 per request) and settings; the defaults inject nothing.

    One draw per request picks 429 (``rate_429``), 503 (``rate_5xx``) or no error; ``retry_after``
    is the seconds the 429 asks for, ``latency`` the seconds added to every request. ``context`` is a
    context window in tokens (0: unlimited): a request whose prompt plus ``max_tokens`` exceeds it
    is answered 400 ``context_length_exceeded``, as real servers do. ``malformed`` and
    ``wrong_args`` are rates per tool call (broken JSON; valid JSON the schema refuses),
    ``truncate`` per final reply. ``fail_questions`` is a share of *questions*, not of requests:
    a question whose spec (the ``X-Memgym-Spec`` header) hashes, with ``seed``, below it is
    answered 503 on every request, so its episode fails however often it is retried, the same
    questions on every run. ``tools_need_choice`` behaves like llama-cpp-python's server: a
    request's ``tools`` are ignored (left out of the prompt, so the reply is plain text) unless it
    also sends ``tool_choice``.
    """

    rate_429: float = 0.0
    rate_5xx: float = 0.0
    retry_after: float = 0.0
    latency: float = 0.0
    malformed: float = 0.0
    truncate: float = 0.0
    context: int = 0
    seed: int = 0
    wrong_args: float = 0.0
    tools_need_choice: bool = False
    fail_questions: float = 0.0
    _rng: random.Random = field(init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def __post_init__(self) -> None:
        for name in (
            "rate_429",
            "rate_5xx",
            "malformed",
            "truncate",
            "wrong_args",
            "fail_questions",
        ):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"fault rate {name} must be in [0, 1], got {value}")
        if self.rate_429 + self.rate_5xx > 1.0:
            raise ValueError("rate_429 + rate_5xx must be at most 1")
        if self.retry_after < 0 or self.latency < 0 or self.context < 0:
            raise ValueError("retry_after, latency and context must be non-negative")
        self._rng = random.Random(self.seed)

    def _draw(self, rate: float) -> bool:
        if rate <= 0.0:
            return False
        with self._lock:
            return self._rng.random() < rate

    def error(self) -> int | None:
        """The HTTP error status to answer this request with (429 or 503), or None."""
        if self.rate_429 <= 0.0 and self.rate_5xx <= 0.0:
            return None
        with self._lock:
            u = self._rng.random()
        if u < self.rate_429:
            return 429
        return 503 if u < self.rate_429 + self.rate_5xx else None

    def always_fails(self, spec: str | None) -> bool:
        """Whether the question with this spec (header text) is one that always fails."""
        if self.fail_questions <= 0.0 or not spec:
            return False
        digest = hashlib.sha256(f"{self.seed}:{spec}".encode()).digest()
        return int.from_bytes(digest[:8], "big") / 2**64 < self.fail_questions

    def malform(self) -> bool:
        """Whether to break this reply's tool-call JSON."""
        return self._draw(self.malformed)

    def misargue(self) -> bool:
        """Whether to give this tool call wrong (but well-formed) arguments."""
        return self._draw(self.wrong_args)

    def cut(self) -> bool:
        """Whether to truncate this reply (``finish_reason: length``)."""
        return self._draw(self.truncate)


def wrong_arguments(args: dict[str, Any]) -> dict[str, Any]:
    """Well-formed arguments the tool's schema refuses: the first integer sent as a string, or,
    with no integer, an argument the tool does not take."""
    for name, value in args.items():
        if isinstance(value, int) and not isinstance(value, bool):
            return {**args, name: str(value)}
    return {**args, "note": "unasked"}
