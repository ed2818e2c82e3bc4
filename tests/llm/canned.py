"""A tiny OpenAI-compatible chat server for tests that need exact control of the model's replies:
real HTTP on a free loopback port, answering each request with the next canned assistant message
(a plain reply once the queue is empty, or, with ``cycle``, the queue over and over), keeping
every request body and the most requests it had in flight at once."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


def call(name: str, arguments: str, call_id: str = "c1") -> dict[str, Any]:
    """A native tool call as a reply carries it (``arguments`` raw, so it may be broken)."""
    return {"id": call_id, "type": "function", "function": {"name": name, "arguments": arguments}}


def calls(*items: dict[str, Any]) -> dict[str, Any]:
    """An assistant message making these tool calls."""
    return {"role": "assistant", "content": None, "tool_calls": list(items)}


def text(content: str) -> dict[str, Any]:
    """A plain assistant message."""
    return {"role": "assistant", "content": content}


class CannedServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(
        self, replies: list[dict[str, Any]], cycle: bool = False, delay: float = 0.0
    ) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.replies = list(replies)
        self.cycle = cycle and bool(replies)
        self.delay = delay
        self.requests: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        self.in_flight = self.max_in_flight = 0

    def enter(self) -> None:
        with self.lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)

    def leave(self) -> None:
        with self.lock:
            self.in_flight -= 1

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1"

    def next_reply(self, body: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            self.requests.append(body)
            if self.cycle:
                return self.replies[(len(self.requests) - 1) % len(self.replies)]
            return self.replies.pop(0) if self.replies else text("Done.")


class _Handler(BaseHTTPRequestHandler):
    server: CannedServer
    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in two writes: without this, Nagle's algorithm and the
        # client's delayed ACK add ~40 ms to every reply on a kept-alive connection.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.server.enter()
        try:
            time.sleep(self.server.delay)
        finally:
            self.server.leave()
        message = self.server.next_reply(body)
        message = dict(message)
        finish = message.pop("finish", "tool_calls" if message.get("tool_calls") else "stop")
        payload = {
            "id": "canned",
            "object": "chat.completion",
            "created": 0,
            "model": body["model"],
            "choices": [{"index": 0, "message": message, "finish_reason": finish}],
            "usage": {"prompt_tokens": 10, "completion_tokens": 2, "total_tokens": 12},
        }
        data = json.dumps(payload).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@contextmanager
def canned(
    replies: list[dict[str, Any]], cycle: bool = False, delay: float = 0.0
) -> Iterator[CannedServer]:
    """A ``CannedServer`` serving ``replies`` (over and over with ``cycle``; each after ``delay``
    seconds, counting requests in flight) for the block."""
    server = CannedServer(replies, cycle, delay)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
