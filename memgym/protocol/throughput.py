"""The endpoint's throughput, measured by a short probe before ``memgym eval`` prints its time
estimate (issue #69: the default 2,000 tokens/s said ~1 min for a run a CPU model took 13.7 min).

Two chat requests (different text, so a prompt cache cannot answer the second from the first),
each a slice of the protocol's first scenario of about ``PROBE_TOKENS`` memgym tokens (half the
declared context window at most) and a short completion. The throughput is the memgym tokens of
both requests and replies (counted as the estimate counts them) over their wall time, so it
converts the estimate's own tokens into time. One request at a time: a server that overlaps
requests (vLLM) runs a concurrent eval faster than this says; one that queues them (llama.cpp)
about as fast. The requests carry ``X-Memgym-Probe`` (``memgym serve`` answers them with a word).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from memgym.llm.endpoint import close_client, open_client
from memgym.llm.headers import PROBE_HEADER
from memgym.protocol.spec import Protocol
from memgym.tokens import count_tokens
from memgym.tracks import get_track, stream_events

PROBE_TOKENS = 1000
"""memgym tokens of one probe request's text (at most half the declared context window)."""
PROBE_COMPLETION = 16
PROBE_CALLS = 2
SYSTEM = "Read the text, then reply with one word: ready."


@dataclass(frozen=True)
class Probe:
    """What the probe measured: calls, memgym tokens (prompt + completion) and wall seconds."""

    calls: int
    tokens: int
    seconds: float

    @property
    def throughput(self) -> float:
        """memgym tokens per second."""
        return self.tokens / self.seconds if self.seconds > 0 else float("inf")


def probe_texts(protocol: Protocol, size: int, count: int = PROBE_CALLS) -> list[str]:
    """``count`` consecutive slices of about ``size`` memgym tokens of the protocol's first
    scenario's events (public text only)."""
    plan = protocol.plans[0]
    scenario = get_track(plan.track).generate(plan.seeds[0], plan.tier, **plan.params)
    texts: list[str] = []
    lines: list[str] = []
    used = 0
    for event in stream_events(scenario):
        if event.kind == "question":
            continue
        lines.append(event.text)
        used += count_tokens(event.text)
        if used >= size:
            texts.append("\n".join(lines))
            lines, used = [], 0
            if len(texts) == count:
                break
    if lines and len(texts) < count:
        texts.append("\n".join(lines))
    return texts


def measure(
    protocol: Protocol,
    model: str,
    base_url: str | None,
    options: dict[str, Any],
    context_window: int = 0,
    max_tokens: int = 0,
) -> Probe:
    """Send the probe to ``model`` at ``base_url`` (client ``options``: key variable, timeout,
    retries) and time it; raises what the client raises (``InfraError`` for a lost endpoint)."""
    size = min(PROBE_TOKENS, context_window // 2) if context_window else PROBE_TOKENS
    completion = min(PROBE_COMPLETION, max_tokens) if max_tokens else PROBE_COMPLETION
    client = open_client(model, base_url, "", options)
    tokens = calls = 0
    start = time.perf_counter()
    try:
        for text in probe_texts(protocol, size):
            messages = [{"role": "system", "content": SYSTEM}, {"role": "user", "content": text}]
            reply = client.chat(
                messages,
                None,
                headers={PROBE_HEADER: "throughput"},
                max_tokens=completion,
                temperature=0.0,
            )
            calls += 1
            tokens += count_tokens(json.dumps(messages)) + count_tokens(json.dumps(None))
            tokens += count_tokens(json.dumps(reply.message()))
    finally:
        close_client(client)
    return Probe(calls, tokens, time.perf_counter() - start)
