"""The HTTP side of ``memgym proxy``: an OpenAI-compatible endpoint in front of another one.

``POST /v1/chat/completions`` is compacted by the ``MemoryProxy`` and forwarded; the reply
(JSON, or server-sent events when ``stream`` is true) goes back as the upstream sent it. A
context-length error from upstream triggers forced compactions (each halving the body) and a
retry after each until the request fits. Every other
``/v1/...`` request is passed through unchanged.

Security: binds to loopback by default, and to any other address only with ``token`` set. With a
token, every request must carry ``Authorization: Bearer <token>`` (or ``X-Memgym-Proxy-Token``),
and the client's ``Authorization`` never goes upstream (the proxy's ``upstream_key`` does, when
given); without one, the client's ``Authorization`` is passed upstream unless ``upstream_key``
replaces it. Nothing logs headers. Bodies over ``max_body`` bytes and
requests with over ``max_messages`` messages are refused with a one-line JSON error.
"""

from __future__ import annotations

import hmac
import json
import socket
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from memgym.background import in_background
from memgym.errors import MemgymError
from memgym.llm.classify import is_context_overflow
from memgym.memory.history.core import CONVERSATION_HEADER, MemoryProxy, Turn
from memgym.proxy.upstream import Upstream, UpstreamError

TOKEN_HEADER = "X-Memgym-Proxy-Token"
REPORT_HEADER = "X-Memgym-Proxy"
MAX_BODY = 16 << 20
MAX_MESSAGES = 10_000
HOP_HEADERS = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authorization",
        "proxy-authenticate",
        "te",
        "trailer",
        "trailers",
        "transfer-encoding",
        "upgrade",
        "host",
        "content-length",
        "accept-encoding",
        "content-encoding",
    }
)
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


class ProxyServer(ThreadingHTTPServer):
    """The proxy; ``port=0`` picks a free port (read it back from ``base_url``)."""

    daemon_threads = True

    def __init__(
        self,
        proxy: MemoryProxy,
        upstream: str,
        host: str = "127.0.0.1",
        port: int = 0,
        token: str | None = None,
        upstream_key: str | None = None,
        max_body: int = MAX_BODY,
        max_messages: int = MAX_MESSAGES,
        timeout: float = 600.0,
    ) -> None:
        if host not in LOOPBACK and not token:
            raise ValueError(f"refusing to bind {host} without a token: only loopback is open")
        self.upstream = Upstream(upstream, timeout)
        if max_body < 1 or max_messages < 1:
            raise ValueError("max_body and max_messages must be positive")
        super().__init__((host, port), _Handler)
        self.proxy = proxy
        self.token = token or None
        self.upstream_key = upstream_key or None
        self.max_body = max_body
        self.max_messages = max_messages
        self.stats: Counter[str] = Counter()
        self._stats_lock = threading.Lock()

    @property
    def base_url(self) -> str:
        """``http://host:port/v1``, the base URL clients take."""
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}/v1"

    def count(self, key: str, n: int = 1) -> None:
        with self._stats_lock:
            self.stats[key] += n

    def server_close(self) -> None:
        super().server_close()
        self.upstream.close()


class _Handler(BaseHTTPRequestHandler):
    server: ProxyServer
    protocol_version = "HTTP/1.1"
    timeout = 120  # seconds a client may stall mid-request before its connection is dropped

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    _sent = False

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: requests are counted in ``stats``; headers (and keys) are never logged."""

    def do_GET(self) -> None:
        self._sent = False
        if self._authorized():
            self._relay("GET", None)

    def do_DELETE(self) -> None:
        self._pass_through("DELETE")

    def do_PUT(self) -> None:
        self._pass_through("PUT")

    def do_PATCH(self) -> None:
        self._pass_through("PATCH")

    def _pass_through(self, method: str) -> None:
        """Another method on any route: relayed as it is (with its body, if it has one)."""
        self._sent = False
        if not self._authorized():
            return
        raw = self._body() if self.headers.get("Content-Length") is not None else b""
        if raw is not None:
            self._relay(method, raw or None)

    def do_POST(self) -> None:
        self._sent = False
        self.server.count("requests")
        if not self._authorized():
            return
        raw = self._body()
        if raw is None:
            return
        if self.path.split("?")[0].rstrip("/") != "/v1/chat/completions":
            return self._relay("POST", raw)
        try:
            body = json.loads(raw, parse_constant=_no_constant)
            if not isinstance(body, dict):
                raise ValueError("the request body must be a JSON object")  # noqa: TRY004
            messages = body.get("messages")
            if isinstance(messages, list) and len(messages) > self.server.max_messages:
                return self._error(
                    413,
                    f"{len(messages)} messages exceed the proxy's limit of "
                    f"{self.server.max_messages} (--max-messages)",
                )
            turn = self.server.proxy.compact(messages, _headers(self))
        except (ValueError, KeyError, RecursionError) as exc:  # RecursionError: JSON too deep
            message = exc.args[0] if isinstance(exc, KeyError) and exc.args else str(exc)
            return self._error(400, f"bad chat request: {message}")
        except MemgymError as exc:  # e.g. an LLM summariser that could not reach its model
            return self._error(502, f"memory strategy failed: {type(exc).__name__}: {exc}")
        self.server.count("compactions", len(turn.records))
        self._chat(body, turn)

    def _authorized(self) -> bool:
        token = self.server.token
        if token is None:
            return True
        given = self.headers.get(TOKEN_HEADER) or ""
        auth = self.headers.get("Authorization") or ""
        if not given and auth.lower().startswith("bearer "):
            given = auth[7:].strip()
        if given and hmac.compare_digest(given.encode(), token.encode()):
            return True
        self.close_connection = True
        self._error(401, "missing or wrong proxy token (Authorization: Bearer <token>)")
        return False

    def _body(self) -> bytes | None:
        raw_length = self.headers.get("Content-Length")
        if raw_length is None or not raw_length.strip().isdigit():
            self.close_connection = True
            self._error(411, "a Content-Length header is required")
            return None
        length = int(raw_length)
        if length > self.server.max_body:
            self.close_connection = True  # the unread body must not be taken for a request
            self._error(
                413,
                f"request body of {length} bytes exceeds the proxy's limit of "
                f"{self.server.max_body} (--max-body)",
            )
            return None
        return self.rfile.read(length)

    def _chat(self, body: dict[str, Any], turn: Turn) -> None:
        server = self.server
        body["messages"] = turn.messages
        stream = bool(body.get("stream"))
        given = f"messages_in={len(body_messages(turn))}"
        try:
            report = f"{given};messages_out={len(turn.messages)}"
            return self._forward(json.dumps(body).encode(), stream, report)
        except _Overflow:
            pass
        times = 0
        while True:  # halve the body until the request fits: at most log2(units) tries
            forced = server.proxy.force(turn)
            if forced is None:
                return self._error(400, "context length exceeded and nothing left to compact",
                                   "context_length_exceeded")  # fmt: skip
            server.count("forced")
            times += 1
            body["messages"] = forced
            try:
                data = json.dumps(body).encode()
                report = f"{given};messages_out={len(forced)};forced={times}"
                return self._forward(data, stream, report)
            except _Overflow:
                continue

    def _forward(self, data: bytes, stream: bool, report: str) -> None:
        """Send ``data`` upstream and relay the reply; raises ``_Overflow`` on a context-length
        error instead of relaying it."""
        upstream = self.server.upstream
        headers = self._upstream_headers()
        headers["Content-Type"] = "application/json"
        try:
            with upstream.exchange("POST", self.path, data, headers) as response:
                if response.status != 200 or not stream:
                    payload = response.read()
                    if is_context_overflow(response.status, payload[:4000]):
                        raise _Overflow
                    self._reply(response, payload, report)
                else:
                    self._stream(response, report)
        except UpstreamError as exc:
            self._unreachable(exc)

    def _unreachable(self, exc: BaseException) -> None:
        if self._sent:  # the reply had begun: nothing sane can follow it on this connection
            self.close_connection = True
            return
        self._error(502, f"upstream {self.server.upstream.url} unreachable: {type(exc).__name__}")

    def _upstream_headers(self) -> dict[str, str]:
        server = self.server
        skip = HOP_HEADERS | {CONVERSATION_HEADER.lower(), TOKEN_HEADER.lower()}
        if server.token is not None:
            skip = skip | {"authorization"}
        headers = {k: v for k, v in self.headers.items() if k.lower() not in skip}
        if server.upstream_key is not None:
            headers = {k: v for k, v in headers.items() if k.lower() != "authorization"}
            headers["Authorization"] = f"Bearer {server.upstream_key}"
        return headers

    def _relay(self, method: str, raw: bytes | None) -> None:
        """Pass a request that is not a chat completion through unchanged."""
        if not self.path.startswith("/v1"):
            return self._error(404, f"no route {self.path}")
        try:
            with self.server.upstream.exchange(
                method, self.path, raw, self._upstream_headers()
            ) as response:
                self._reply(response, response.read(), None)
        except UpstreamError as exc:
            self._unreachable(exc)

    def _reply(self, response: Any, payload: bytes, report: str | None) -> None:
        self.server.count(f"http_{response.status}")
        self._sent = True
        self.send_response(response.status)
        self._copy_headers(response, report)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def _stream(self, response: Any, report: str) -> None:
        self.server.count("streams")
        self._sent = True
        self.send_response(200)
        self._copy_headers(response, report)
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        while chunk := response.read1(65536):
            self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        self.wfile.write(b"0\r\n\r\n")

    def _copy_headers(self, response: Any, report: str | None) -> None:
        for name, value in response.getheaders():
            if name.lower() not in HOP_HEADERS and name.lower() not in ("date", "server"):
                self.send_header(name, value)
        if report is not None:
            self.send_header(REPORT_HEADER, report)

    def _error(self, status: int, message: str, code: str | None = None) -> None:
        self.server.count(f"http_{status}")
        self._sent = True
        error = {"message": message, "type": "memgym_proxy", "code": code}
        data = json.dumps({"error": error}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class _Overflow(Exception):
    """The upstream said the prompt does not fit its context."""


def body_messages(turn: Turn) -> list[Any]:
    """The request's own messages (head, body units, live unit), before compaction."""
    units = [m for u in turn.history.body for m in u.messages]
    live = list(turn.history.live.messages) if turn.history.live is not None else []
    return [*turn.history.head, *units, *live]


def _headers(handler: BaseHTTPRequestHandler) -> dict[str, str]:
    """The request's headers under their canonical spelling (what ``MemoryProxy`` reads)."""
    from memgym.llm.headers import SPEC_HEADER, TRACK_HEADER

    names = (CONVERSATION_HEADER, SPEC_HEADER, TRACK_HEADER)
    return {name: value for name in names if (value := handler.headers.get(name)) is not None}


@contextmanager
def running(proxy: MemoryProxy, upstream: str, **options: Any) -> Iterator[ProxyServer]:
    """A ``ProxyServer`` serving in a background thread for the ``with`` block."""
    server = ProxyServer(proxy, upstream, **options)
    with in_background(server):
        yield server


__all__ = ["ProxyServer", "running"]


def _no_constant(name: str) -> Any:
    """``json.loads``'s hook for NaN and Infinity, which are not JSON: refused (the upstream
    would get them back as they are, and a strict one rejects the request)."""
    raise ValueError(f"{name} is not a JSON value")
