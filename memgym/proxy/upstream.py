"""Kept-alive connections to the upstream endpoint, shared by the proxy's handler threads.

The standard library's ``http.client`` costs a few hundred microseconds per request here, several
times less than a general-purpose client, which matters when the proxy's whole budget is a few
milliseconds. A connection goes back to the pool only after its response was read to the end.
"""

from __future__ import annotations

import http.client
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

UpstreamError = (OSError, http.client.HTTPException)
"""What a failed upstream exchange raises (connection refused, reset, timeout, bad reply)."""


class Upstream:
    """The upstream at ``url`` (``http(s)://host[:port]/base``); up to ``keep`` idle connections."""

    def __init__(self, url: str, timeout: float = 600.0, keep: int = 32) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"upstream must be an http(s) URL with a host, got {url!r}")
        self.url = url.rstrip("/")
        self.https = parts.scheme == "https"
        self.host = parts.hostname
        self.port = parts.port or (443 if self.https else 80)
        self.base = parts.path.rstrip("/")
        self.timeout = timeout
        self.keep = keep
        self._idle: list[http.client.HTTPConnection] = []
        self._lock = threading.Lock()

    def path(self, request_path: str) -> str:
        """The upstream path for a proxy path under ``/v1`` (the upstream's base replaces it)."""
        return self.base + request_path.removeprefix("/v1")

    def _connect(self) -> http.client.HTTPConnection:
        if self.https:
            return http.client.HTTPSConnection(self.host, self.port, timeout=self.timeout)
        return http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)

    def _take(self) -> tuple[http.client.HTTPConnection, bool]:
        with self._lock:
            if self._idle:
                return self._idle.pop(), True
        return self._connect(), False

    def _give(self, conn: http.client.HTTPConnection) -> None:
        with self._lock:
            if len(self._idle) < self.keep:
                self._idle.append(conn)
                return
        conn.close()

    @contextmanager
    def exchange(
        self, method: str, path: str, body: bytes | None, headers: dict[str, str]
    ) -> Iterator[http.client.HTTPResponse]:
        """Send one request and yield its response; a kept-alive connection the server closed
        meanwhile is replaced once, transparently."""
        conn, reused = self._take()
        while True:
            try:
                conn.request(method, self.path(path), body=body, headers=headers)
                response = conn.getresponse()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                conn.close()
                if not reused:
                    raise
                conn, reused = self._connect(), False
            except BaseException:
                conn.close()
                raise
        try:
            yield response
        finally:
            if response.isclosed() and not response.will_close:
                self._give(conn)
            else:
                conn.close()

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()
