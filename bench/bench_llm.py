"""Benchmark memgym's LLM harness against a zero-latency local ``memgym serve``.

Run as ``python bench/bench_llm.py [--calls N]``. The server runs in its own process (no fault
injection, no latency). Every call sends the same real request: the chat messages the ``llm``
reasoner renders for a lite entities question over a window memory's view, with its headers.

1. Overhead per call: the median time of one call through ``LLMClient.chat`` (the openai SDK plus
   memgym's retry loop, parsing and ledger) and through ``SyncLLMClient.chat`` (what reasoners
   use: the same, plus a hop to the client's loop thread), minus the median time of the same
   request sent by the baseline: ``http.client`` on one kept-alive connection, body and reply
   as JSON. Calls go one at a time. Target: <= 2 ms.
2. Throughput: calls per second through one ``LLMClient`` with 1, 4 and 16 calls in flight,
   next to the baseline's (as many threads, one connection each). Target: >= 200 calls/s at 16.
   The server shares the machine and answers under one lock, so it bounds both.
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from typing import Any

from memgym.llm import LLMClient, SyncLLMClient
from memgym.memory import make_memory
from memgym.reasoners.llm import SPEC_HEADER, TRACK_HEADER, render
from memgym.tracks import get_track
from memgym.tracks.registry import stream_events

TARGET_OVERHEAD_MS = 2.0
TARGET_CALLS_PER_S = 200.0
CONCURRENCY = (1, 4, 16)


def request() -> tuple[list[dict[str, Any]], dict[str, str]]:
    """The messages and headers of the first question of a lite scenario over a window view."""
    track = get_track("entities")
    scenario = track.generate(0, "lite")
    memory = make_memory("window:max_tokens=1500", track)
    memory.reset(scenario.brief, scenario.params)
    for event in stream_events(scenario):
        memory.observe(event.public())
        if event.question is not None:
            asked = event.question.public()
            headers = {
                TRACK_HEADER: "entities",
                SPEC_HEADER: json.dumps(asked.spec, sort_keys=True),
            }
            return render(asked, memory.recall(asked), False), headers
    raise RuntimeError("the lite scenario asks no question")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def start_server(port: int) -> subprocess.Popen[bytes]:
    """``memgym serve`` on ``port`` in a child process, once it answers /v1/models."""
    server = subprocess.Popen(
        [sys.executable, "-m", "memgym.cli", "serve", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/v1/models", timeout=1).read()
            return server
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("memgym serve did not start") from None
            time.sleep(0.05)


def timed(call: Callable[[], object], n: int) -> list[float]:
    """Milliseconds each of ``n`` calls took (after 20 warm-up calls)."""
    for _ in range(20):
        call()
    out = []
    for _ in range(n):
        start = time.perf_counter_ns()
        call()
        out.append((time.perf_counter_ns() - start) / 1e6)
    return out


def raw_caller(port: int, body: bytes, headers: dict[str, str]) -> Callable[[], object]:
    """The baseline: one kept-alive ``http.client`` connection; the reply parsed as JSON."""
    conn = http.client.HTTPConnection("127.0.0.1", port)
    sent = {"Content-Type": "application/json", **headers}

    def call() -> object:
        conn.request("POST", "/v1/chat/completions", body, sent)
        reply = conn.getresponse()
        data = json.loads(reply.read())
        if reply.status != 200:
            raise RuntimeError(f"HTTP {reply.status}: {data}")
        return data

    return call


async def throughput(base_url: str, messages: Any, headers: Any, calls: int, width: int) -> float:
    """Calls per second with ``width`` calls in flight through one ``LLMClient``."""
    client = LLMClient("memgym-scripted", base_url, concurrency=width)
    try:

        async def worker(n: int) -> None:
            for _ in range(n):
                await client.chat(messages, headers=headers, temperature=0.0)

        await asyncio.gather(*(worker(10) for _ in range(width)))  # warm-up: connections
        start = time.perf_counter()
        await asyncio.gather(*(worker(calls // width) for _ in range(width)))
        return (calls // width) * width / (time.perf_counter() - start)
    finally:
        await client.aclose()


def raw_throughput(
    port: int, body: bytes, headers: dict[str, str], calls: int, width: int
) -> float:
    """Calls per second of the baseline: ``width`` threads, each with its own connection."""
    from concurrent.futures import ThreadPoolExecutor

    callers = [raw_caller(port, body, headers) for _ in range(width)]

    def worker(call: Callable[[], object], n: int) -> None:
        for _ in range(n):
            call()

    with ThreadPoolExecutor(width) as pool:
        list(pool.map(worker, callers, [10] * width))  # warm-up: connections
        start = time.perf_counter()
        list(pool.map(worker, callers, [calls // width] * width))
    return (calls // width) * width / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--calls", type=int, default=1000, help="calls per measurement")
    args = parser.parse_args()
    messages, headers = request()
    body = json.dumps({"model": "memgym-scripted", "messages": messages, "temperature": 0.0})
    port = free_port()
    base_url = f"http://127.0.0.1:{port}/v1"
    server = start_server(port)
    try:
        raw = timed(raw_caller(port, body.encode(), headers), args.calls)
        sync = SyncLLMClient("memgym-scripted", base_url)
        try:
            via_sync = timed(
                lambda: sync.chat(messages, headers=headers, temperature=0.0), args.calls
            )
        finally:
            sync.close()

        async def via_async() -> list[float]:
            client = LLMClient("memgym-scripted", base_url)
            try:
                out = []
                for i in range(args.calls + 20):
                    start = time.perf_counter_ns()
                    await client.chat(messages, headers=headers, temperature=0.0)
                    if i >= 20:
                        out.append((time.perf_counter_ns() - start) / 1e6)
                return out
            finally:
                await client.aclose()

        async_ms = asyncio.run(via_async())
        rates = {
            w: asyncio.run(throughput(base_url, messages, headers, args.calls, w))
            for w in CONCURRENCY
        }
        raw_rates = {
            w: raw_throughput(port, body.encode(), headers, args.calls, w) for w in CONCURRENCY
        }
    finally:
        server.terminate()
        server.wait()
    base = statistics.median(raw)
    print(f"request: {len(body)} bytes, {len(messages)} messages; {args.calls} calls each")
    print(f"baseline http.client      median {base:7.3f} ms/call")
    for name, times in (("LLMClient (async)", async_ms), ("SyncLLMClient", via_sync)):
        med = statistics.median(times)
        over = med - base
        verdict = "ok" if over <= TARGET_OVERHEAD_MS else "OVER TARGET"
        print(
            f"{name:<25} median {med:7.3f} ms/call  overhead {over:6.3f} ms "
            f"(x{med / base:.2f} baseline; target <= {TARGET_OVERHEAD_MS} ms: {verdict})"
        )
    for width, rate in rates.items():
        target = f" (target >= {TARGET_CALLS_PER_S:.0f}: " + (
            "ok)" if rate >= TARGET_CALLS_PER_S else "BELOW TARGET)"
        )
        print(
            f"concurrency {width:>2}: {rate:7.1f} calls/s (baseline {raw_rates[width]:7.1f})"
            + (target if width == 16 else "")
        )


if __name__ == "__main__":
    main()
