"""A web app's server, in the WebArena-Infinity protocol: the app's page at ``/``, its state at
``GET/PUT /api/state`` and ``POST /api/reset`` (back to the initial state). Standard library
only, loopback only, one thread per request; verifiers read ``state()`` directly.
"""

from __future__ import annotations

import copy
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

MAX_BODY = 16 * 1024 * 1024


class AppServer:
    """Serves ``html`` and a JSON state on ``127.0.0.1`` (a free port) until ``close``."""

    def __init__(self, html: str, initial: dict[str, Any]) -> None:
        self._html = html.encode()
        self._initial = copy.deepcopy(initial)
        self._state = copy.deepcopy(initial)
        self._lock = threading.Lock()
        self.writes = 0
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, name="memgym-web-app", daemon=True
        )
        self._thread.start()

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}/"

    def state(self) -> dict[str, Any]:
        """A copy of the current state."""
        with self._lock:
            return copy.deepcopy(self._state)

    def put(self, state: dict[str, Any]) -> None:
        with self._lock:
            self._state = state
            self.writes += 1

    def reset(self) -> None:
        with self._lock:
            self._state = copy.deepcopy(self._initial)

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)


def _handler(app: AppServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            if self.path in ("/", "/index.html"):
                self._send(200, app._html, "text/html; charset=utf-8")
            elif self.path == "/api/state":
                self._json(200, app.state())
            else:
                self._json(404, {"error": f"no such path {self.path}"})

        def do_PUT(self) -> None:
            if self.path != "/api/state":
                return self._json(404, {"error": f"no such path {self.path}"})
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY:
                return self._json(413, {"error": "state too large"})
            try:
                state = json.loads(self.rfile.read(length))
            except ValueError:
                return self._json(400, {"error": "state is not JSON"})
            if not isinstance(state, dict) or not isinstance(state.get("records"), list):
                return self._json(400, {"error": "state must be an object with records"})
            app.put(state)
            self._json(200, {"ok": True})

        def do_POST(self) -> None:
            if self.path != "/api/reset":
                return self._json(404, {"error": f"no such path {self.path}"})
            app.reset()
            self._json(200, {"ok": True})

        def _json(self, status: int, payload: object) -> None:
            self._send(status, json.dumps(payload).encode(), "application/json")

        def _send(self, status: int, body: bytes, kind: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

    return Handler
