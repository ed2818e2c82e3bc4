"""What a worker does once, before it forks any episode child, so that no episode pays it.

An episode child starts as a copy of the worker: every page of the worker it writes (a
reference count, a free list, a lazily filled cache) it copies. Its first LLM call used to cost
~1,800 such page faults and ~9 ms of CPU, against ~25 faults for a later call (measured in
docs/trust.md, "Measured"). ``preload`` makes that first call in the worker instead: one real
chat call through ``SyncLLMClient`` and the OpenAI SDK to a one-shot server on the loopback,
which imports and initialises everything on the path (the SDK's client, request options and
platform headers, httpx's transport and connection pool, h11, the IDNA codec, the TLS context),
then builds a spare HTTP client (``memgym.llm.client.build_spare``) that the child's first
client takes instead of building its own. Nothing of an episode is involved: the server is this
process's, the call's reply is fixed, and the spare holds no connection.
"""

from __future__ import annotations

import socket
import threading

REPLY = (
    b'{"choices": [{"index": 0, "message": {"role": "assistant", "content": "ok"}, '
    b'"finish_reason": "stop"}], "usage": {"prompt_tokens": 1, "completion_tokens": 1}}'
)
RESPONSE = (
    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n"
    b"Content-Length: " + str(len(REPLY)).encode() + b"\r\n\r\n" + REPLY
)


def answer_once(listener: socket.socket, seen: list[bytes]) -> None:
    """Accept one HTTP request on ``listener``, read it whole (into ``seen``), answer
    ``RESPONSE``."""
    try:
        conn, _ = listener.accept()
    except OSError:  # the listener was shut: the call never came
        return
    with conn:
        conn.settimeout(5)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(65536)
            if not chunk:
                return
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value.strip())
        while len(body) < length:
            chunk = conn.recv(65536)
            if not chunk:
                return
            body += chunk
        seen.append(head + b"\r\n\r\n" + body)
        conn.sendall(RESPONSE)


def practice_call(seen: list[bytes] | None = None) -> str | None:
    """One chat call through ``SyncLLMClient`` to a one-shot server on the loopback (the
    request it read goes into ``seen``); its answer (``"ok"``). The API key is never sent."""
    from memgym.llm.client import SyncLLMClient

    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        port = listener.getsockname()[1]
        server = threading.Thread(
            target=answer_once, args=(listener, [] if seen is None else seen), daemon=True
        )
        server.start()
        url, no_key = f"http://127.0.0.1:{port}/v1", "MEMGYM_PRELOAD_NO_KEY"  # the key stays unsent
        client = SyncLLMClient("preload", url, api_key_env=no_key, max_retries=0, timeout=5)
        try:
            result = client.chat([{"role": "user", "content": "preload"}], headers={"X-P": "1"})
        finally:
            client.close()
            try:
                listener.shutdown(socket.SHUT_RDWR)  # wakes an accept still waiting
            except OSError:
                pass
            server.join(5)
    return result.content


def preload() -> None:
    """Before any fork: the practice call, the IDNA codec (a host name's encoding, ~5 ms of
    import), then a spare HTTP client for the first client of each child. Where the loopback
    or the SDK is unavailable, the children only lose the head start."""
    try:
        "preload.invalid".encode("idna")
        practice_call()
    except Exception:  # noqa: BLE001, S110 - a missing SDK or loopback only loses the head start
        pass
    try:
        from memgym.llm.client import build_spare

        build_spare()
    except Exception:  # noqa: BLE001, S110 - as above
        pass
