"""Memory-proxy overhead: latency per chat request through ``memgym proxy`` minus the latency of
the same request sent directly to the upstream, at 100 messages.

Run: ``python bench/bench_proxy.py [--samples 200] [--messages 100]``. The upstream and the
proxy (``memgym proxy``) each run in their own process on loopback, as deployed; requests are a
system prompt, a task, entity-track records and a question (with its ``X-Memgym-Spec``), sent
with one kept-alive ``httpx`` client on both paths. Direct and proxied requests alternate, so
both see the same machine load; medians are printed. Two proxied cases:

- ``warm``: the conversation already holds the first ``messages - 1`` messages (sent untimed just
  before); the timed request adds one record, as an agent's next turn does;
- ``cold``: a new conversation arrives with all ``messages`` at once (every unit observed).

Upstreams: ``echo`` (a stdlib server answering a fixed completion at once, so the difference is
nothing but the proxy) and ``memgym serve`` (the scripted reasoner reads all 100 messages, tens
of ms, so its noise is larger). Memory ``full`` forwards the same messages, so the upstream does
the same work on both paths and the difference is the proxy's own cost; ``window`` is printed
too (its upstream sees fewer messages, so its difference understates the proxy's cost).
Target: warm overhead <= 5 ms. The in-process compaction alone (``MemoryProxy.compact``, no
HTTP) is printed for reference.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from memgym.proxy import MemoryProxy
from memgym.proxy.naive_agent import TASK, question_prompt
from memgym.tracks import get_track, stream_events

TARGET_MS = 5.0


def build(messages: int) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """``messages`` chat messages (system, task, records, question) and the question's headers."""
    track = get_track("entities")
    scenario = track.generate(0, "standard")
    question = scenario.questions[-1]
    records: list[str] = []
    for seed in range(messages):  # more seeds' records until there are enough
        records += [
            e.text for e in stream_events(track.generate(seed, "standard")) if not e.question
        ]
        if len(records) >= messages:
            break
    chat = [{"role": "system", "content": scenario.brief}, {"role": "user", "content": TASK}]
    chat += [{"role": "user", "content": t} for t in records[: messages - 3]]
    chat.append({"role": "user", "content": question_prompt(question)})
    headers = {
        "X-Memgym-Track": "entities",
        "X-Memgym-Spec": json.dumps(question.spec, sort_keys=True, separators=(",", ":")),
    }
    return chat, headers


def post(client: Any, url: str, chat: list[dict[str, Any]], headers: dict[str, str]) -> float:
    """Seconds for one chat completion."""
    start = time.perf_counter()
    response = client.post(
        f"{url}/chat/completions", json={"model": "memgym-scripted", "messages": chat},
        headers=headers,
    )  # fmt: skip
    elapsed = time.perf_counter() - start
    response.raise_for_status()
    return elapsed


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def process(args: list[str], base_url: str) -> Iterator[str]:
    """A ``memgym`` command serving at ``base_url`` in its own process, for the ``with`` block."""
    child = subprocess.Popen([sys.executable, "-m", "memgym.cli", *args], stderr=subprocess.DEVNULL)
    try:
        wait(base_url)
        yield base_url
    finally:
        child.terminate()
        child.wait(timeout=10)


REPLY = json.dumps(
    {
        "id": "echo", "object": "chat.completion", "created": 0, "model": "echo",
        "choices": [{"index": 0, "finish_reason": "stop",
                     "message": {"role": "assistant", "content": "Answer: 42"}}],
    }
).encode()  # fmt: skip


class _Echo(BaseHTTPRequestHandler):
    """The fastest possible upstream: reads the request, answers a fixed completion."""

    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, *args: Any) -> None:
        pass

    def _answer(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(REPLY)))
        self.end_headers()
        self.wfile.write(REPLY)

    do_GET = do_POST = _answer


def serve_echo(port: int) -> None:
    ThreadingHTTPServer(("127.0.0.1", port), _Echo).serve_forever()


@contextmanager
def echo(base_url: str, port: int) -> Iterator[str]:
    """The echo upstream in its own process."""
    import multiprocessing

    child = multiprocessing.get_context("fork").Process(
        target=serve_echo, args=(port,), daemon=True
    )
    child.start()
    try:
        wait(base_url)
        yield base_url
    finally:
        child.terminate()
        child.join(timeout=10)


def wait(base_url: str) -> None:
    import httpx

    for _ in range(300):
        try:
            httpx.get(f"{base_url}/models", timeout=1).raise_for_status()
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing answers at {base_url}")


def measure(
    spec: str, samples: int, chat: list[dict[str, Any]], headers: dict[str, str], upstream_kind: str
) -> dict[str, float]:
    """Median milliseconds: direct, proxied warm, proxied cold. Upstream and proxy each run in
    their own process (as deployed), so neither competes with the other for the GIL."""
    import httpx

    direct, warm, cold = [], [], []
    prior = [*chat[:-2], chat[-1]]  # one record fewer: the conversation before the timed turn
    up_port, proxy_port = free_port(), free_port()
    up_url = f"http://127.0.0.1:{up_port}/v1"
    proxy_args = ["proxy", "--upstream", up_url, "--port", str(proxy_port), "--memory", spec,
                  "--records", os.devnull]  # fmt: skip
    up = (
        process(["serve", "--port", str(up_port)], up_url)
        if upstream_kind == "serve"
        else echo(up_url, up_port)
    )
    with (
        up as upstream,
        process(proxy_args, f"http://127.0.0.1:{proxy_port}/v1") as proxy,
        httpx.Client(timeout=30) as client,
    ):
        for i in range(samples + 5):  # the first 5 warm up connections and caches
            named = {**headers, "X-Memgym-Conversation": f"w{i}"}
            post(client, proxy, prior, named)
            times = (
                post(client, upstream, chat, headers),
                post(client, proxy, chat, named),
                post(client, proxy, chat, {**headers, "X-Memgym-Conversation": f"c{i}"}),
            )
            if i >= 5:
                for bucket, t in zip((direct, warm, cold), times, strict=True):
                    bucket.append(t * 1000)
    return {
        "direct": statistics.median(direct),
        "warm": statistics.median(warm),
        "cold": statistics.median(cold),
    }


def compact_only(
    spec: str, samples: int, chat: list[dict[str, Any]], headers: dict[str, str]
) -> float:
    """Median milliseconds of ``MemoryProxy.compact`` for the warm turn, without HTTP."""
    proxy = MemoryProxy(spec)
    prior = [*chat[:-2], chat[-1]]
    times = []
    for i in range(samples):
        named = {**headers, "X-Memgym-Conversation": f"w{i}"}
        proxy.compact(prior, named)
        start = time.perf_counter()
        proxy.compact(chat, named)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def episodes(specs: list[str], seeds: int, tier: str) -> None:
    """Native vs proxied scores: ``run_episode`` with an ``LLMReasoner`` asking ``memgym serve``,
    and the naive OpenAI-API agent through ``memgym proxy`` to the same ``memgym serve``, each
    command in its own process."""
    from memgym.memory import make_memory
    from memgym.proxy.naive_agent import replay
    from memgym.reasoners.llm import LLMReasoner
    from memgym.run.episode import evaluate

    track = get_track("entities")
    up_port = free_port()
    up_url = f"http://127.0.0.1:{up_port}/v1"
    print(f"entities {tier}: native (LLMReasoner -> serve) vs naive agent -> proxy -> serve")
    with process(["serve", "--port", str(up_port)], up_url):
        for spec in specs:
            port = free_port()
            args = ["proxy", "--upstream", up_url, "--port", str(port), "--memory", spec,
                    "--records", os.devnull]  # fmt: skip
            with process(args, f"http://127.0.0.1:{port}/v1") as proxy:
                for seed in range(seeds):
                    scenario = track.generate(seed, tier)
                    reasoner = LLMReasoner(track, base_url=up_url)
                    try:
                        native = evaluate(scenario, make_memory(spec, track), reasoner)
                    finally:
                        reasoner.close()
                    proxied = replay(scenario, proxy, conversation=f"seed-{seed}")
                    same = [(a.answer, a.correct) for a in native.answers] == [
                        (a.answer, a.correct) for a in proxied.answers
                    ]
                    print(
                        f"{spec:24s} seed {seed}: native acc {native.accuracy:.3f} composite"
                        f" {native.composite:.3f} | proxy acc {proxied.accuracy:.3f} composite"
                        f" {proxied.composite:.3f} | compactions {len(native.compactions)}"
                        f" | answers identical: {same}"
                    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--messages", type=int, default=100)
    parser.add_argument(
        "--episodes", type=int, default=0, help="also compare N seeds' scores, native vs proxied"
    )
    parser.add_argument("--tier", default="lite", help="tier of the --episodes comparison")
    args = parser.parse_args()
    if args.episodes:
        specs = ["window:max_tokens=2000", "mask:keep=5", "summary:max_tokens=2000"]
        episodes(specs, args.episodes, args.tier)
    chat, headers = build(args.messages)
    print(f"{args.messages} messages per request, {args.samples} samples, medians (ms)")
    for kind, spec in (("echo", "full"), ("serve", "full"), ("serve", "window:max_tokens=2000")):
        m = measure(spec, args.samples, chat, headers, kind)
        inproc = compact_only(spec, args.samples, chat, headers)
        over_warm, over_cold = m["warm"] - m["direct"], m["cold"] - m["direct"]
        verdict = "meets" if over_warm <= TARGET_MS else "MISSES"
        print(
            f"{kind:5s} {spec:24s} direct {m['direct']:6.2f}  proxy warm {m['warm']:6.2f}"
            f" (+{over_warm:5.2f}, x{m['warm'] / m['direct']:.2f})  proxy cold {m['cold']:6.2f}"
            f" (+{over_cold:5.2f})  compact() alone {inproc:5.2f}"
            f"  -> warm overhead {verdict} the {TARGET_MS:g} ms target"
        )


if __name__ == "__main__":
    main()
