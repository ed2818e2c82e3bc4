"""A real recording upstream on loopback: it keeps every request it gets and answers with a fixed
completion, as JSON or as server-sent events, or with a context-length error for prompts over
``context`` messages."""

import json
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from memgym.background import in_background


class Recorder(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.requests: list[tuple[dict[str, str], dict]] = []  # (lower-cased headers, body)
        self.context: int | None = None  # max messages accepted, None: any

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1"


CHUNKS = ["Answer", ": ", "forty", "-two"]


def _lower(headers) -> dict[str, str]:
    return {k.lower(): v for k, v in headers.items()}


class _Handler(BaseHTTPRequestHandler):
    server: Recorder
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def _send(self, status: int, payload: dict) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        self.server.requests.append((_lower(self.headers), {"path": self.path}))
        self._send(200, {"object": "list", "data": [{"id": "echo", "object": "model"}]})

    def do_DELETE(self):
        self.server.requests.append((_lower(self.headers), {"path": self.path, "method": "DELETE"}))
        self._send(200, {"id": self.path.rsplit("/", 1)[-1], "deleted": True})

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.server.requests.append((_lower(self.headers), body))
        n = len(body["messages"])
        if self.server.context is not None and n > self.server.context:
            return self._send(
                400,
                {
                    "error": {
                        "message": f"context length exceeded: {n} messages",
                        "code": "context_length_exceeded",
                    }
                },
            )
        if not body.get("stream"):
            return self._send(
                200,
                {
                    "id": "x",
                    "object": "chat.completion",
                    "created": 0,
                    "model": "echo",
                    "choices": [
                        {
                            "index": 0,
                            "finish_reason": "stop",
                            "message": {"role": "assistant", "content": "".join(CHUNKS)},
                        }
                    ],
                },
            )
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Connection", "close")
        self.end_headers()
        for i, piece in enumerate([*CHUNKS, None]):
            delta = {"content": piece} if piece is not None else {}
            chunk = {
                "id": "x",
                "object": "chat.completion.chunk",
                "created": 0,
                "model": "echo",
                "choices": [
                    {
                        "index": 0,
                        "delta": delta,
                        "finish_reason": None if piece is not None else "stop",
                    }
                ],
            }
            self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
            self.wfile.flush()
        self.wfile.write(b"data: [DONE]\n\n")
        self.close_connection = True


@pytest.fixture
def upstream():
    server = Recorder()
    with in_background(server):
        yield server
