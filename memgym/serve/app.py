"""The HTTP side of ``memgym serve``: ``POST /v1/chat/completions`` and ``GET /v1/models`` on the
standard library's threading HTTP server, speaking the OpenAI chat-completions JSON.

Per request: the injected latency, then perhaps an injected 429 (with Retry-After) or 503, then the
scripted reply: a question's (``X-Memgym-Spec``; see ``memgym.serve.scripted``), a write event's
(``X-Memgym-Policy``; see ``memgym.serve.writes``) or an interactive agent's turn
(``X-Memgym-Session``: the ``noop`` agent's reply, that it has done what it can, so a session runs
end to end with no model; nothing is solved) or ``memgym eval``'s throughput probe
(``X-Memgym-Probe``: one word), as native tool calls or, for a client sending
``X-Memgym-Tools: text``, as ``CALL`` lines. A malformed-call fault breaks one call's JSON and
ends the reply there (so calls stay in order when they are redone), and so does a wrong-arguments
fault (valid JSON that breaks the tool's schema); a truncation fault cuts the
reply that ends an exchange (an answer, or the end of a write event) with ``finish_reason: length``.
With ``tools_need_choice`` (llama-cpp-python's behaviour) a request's ``tools`` are dropped before
anything else looks at it unless it sends ``tool_choice``: the prompt is counted without them, and
the reply is plain text (an ``Answer:`` line; a write event gets a plain reply and no write).
``stats`` counts requests and answers by status, for tests and the log (``tools_dropped``: the
requests whose tools were dropped; ``slot_<n>``: requests naming llama.cpp's ``id_slot`` n).
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from memgym.background import in_background
from memgym.llm.agent import TOOLS_HEADER
from memgym.llm.headers import PROBE_HEADER, SESSION_HEADER, SPEC_HEADER, TRACK_HEADER
from memgym.llm.textcalls import render_calls
from memgym.memory.agentic_llm import EPISODE_HEADER, POLICY_HEADER, WRITER_HEADER
from memgym.memory.tools import SEARCH
from memgym.reasoners.scripted import ScriptedReasoner
from memgym.serve.faults import Faults, wrong_arguments
from memgym.serve.scripted import Reply, scripted_reply
from memgym.serve.summarize import is_summarize, summarize
from memgym.serve.writes import DONE, MAX_EPISODES, Mirrors, write_reply
from memgym.tokens import count_tokens
from memgym.tracks.agent import DONE as SESSION_DONE

MODEL = "memgym-scripted"
MAX_BODY = 64 << 20
NO_SPEC = (
    f"memgym serve answers as memgym's scripted reasoner, so it must know the question: send its "
    f"spec as JSON in the {SPEC_HEADER} header, e.g. "
    f'{SPEC_HEADER}: {{"op": "value", "entity": "Torkbury Falcons", "attribute": '
    f'"home_city"}} (memgym\'s llm reasoner sends it; a write event sends the {POLICY_HEADER} '
    "headers instead; docs/llm.md has a curl example)"
)


class MissingSpec(ValueError):
    """A chat request with neither a question spec nor a write event's headers."""


class ChatServer(ThreadingHTTPServer):
    """The server; ``port=0`` picks a free port (read it back from ``base_url``)."""

    daemon_threads = True

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        faults: Faults | None = None,
        max_episodes: int = MAX_EPISODES,
    ) -> None:
        self.mirrors = Mirrors(max_episodes)  # checked before the socket is bound
        super().__init__((host, port), _Handler)
        self.faults = faults or Faults()
        self.stats: Counter[str] = Counter()
        self._stats_lock = threading.Lock()
        self._reasoners: dict[str, ScriptedReasoner] = {}
        self._reason_lock = threading.Lock()

    @property
    def base_url(self) -> str:
        """``http://host:port/v1``, the base URL clients take."""
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}/v1"

    def count(self, key: str) -> int:
        """Add one to ``stats[key]`` and return the new count."""
        with self._stats_lock:
            self.stats[key] += 1
            return self.stats[key]

    def reply(self, body: dict[str, Any], request: Message, dropped: bool = False) -> Reply:
        """The scripted reply to one chat request: a write event's (``X-Memgym-Policy``) or a
        question's (``X-Memgym-Spec``). ``dropped``: the request's tools were dropped (no
        ``tool_choice`` under ``tools_need_choice``), so a write event gets a plain reply."""
        from memgym.tracks import get_track

        headers = _memgym_headers(request)
        if headers.get(SESSION_HEADER):  # an interactive agent's turn: the noop agent's reply
            self.count("session_turns")
            return Reply(content=SESSION_DONE, final=True)
        if headers.get(PROBE_HEADER):  # memgym eval's throughput probe
            self.count("probes")
            return Reply(content="ready", final=True)
        track = headers.get(TRACK_HEADER) or "entities"
        text = _text_mode(headers)
        with self._reason_lock:  # the track's read cache is not made for concurrent writers
            reasoner = self._reasoners.get(track)
            if reasoner is None:
                reasoner = self._reasoners[track] = ScriptedReasoner(get_track(track))
            if headers.get(POLICY_HEADER):
                if dropped:  # the model never saw the write tools: it replies in words
                    return Reply(content=DONE, final=True)
                calls, content = write_reply(
                    self.mirrors, headers, body["messages"], text, reasoner.read
                )
                return Reply(content=content, calls=tuple(calls), final=not calls)
            if SPEC_HEADER not in headers:
                raise MissingSpec(NO_SPEC)
            spec = json.loads(headers[SPEC_HEADER])
            searchable = text or any(
                (t.get("function") or {}).get("name") == SEARCH.name
                for t in body.get("tools") or []
            )
            return scripted_reply(reasoner, body["messages"], spec, searchable, text)


def _chat_body(body: Any) -> dict[str, Any]:
    """``body`` if it is a chat request's shape: an object whose ``messages`` are objects."""
    if not isinstance(body, dict):
        raise TypeError(f"the request body must be a JSON object, not {type(body).__name__}")
    messages = body.get("messages")
    if not isinstance(messages, list) or not all(isinstance(m, dict) for m in messages):
        raise TypeError("the request's messages must be a list of JSON objects")
    return body


class _Handler(BaseHTTPRequestHandler):
    server: ChatServer
    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in two writes: without this, Nagle's algorithm and the peer's
        # delayed ACK add ~40 ms to every reply on a kept-alive connection.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the server's ``stats`` count what happened."""

    def do_GET(self) -> None:
        if self.path.rstrip("/") == "/v1/models":
            self._send(
                200,
                {
                    "object": "list",
                    "data": [{"id": MODEL, "object": "model", "owned_by": "memgym"}],
                },
            )
        else:
            self._error(404, f"no route {self.path}")

    def do_POST(self) -> None:
        server = self.server
        server.count("requests")
        length = (self.headers.get("Content-Length") or "0").strip()
        if not (length.isascii() and length.isdigit()):
            self.close_connection = True  # where the body ends is unknown
            return self._error(400, f"bad Content-Length {length!r}")
        if int(length) > MAX_BODY:
            self.close_connection = True  # the unread body must not be taken for a request
            return self._error(413, f"the body is over {MAX_BODY} bytes")
        raw = self.rfile.read(int(length))
        if self.path.rstrip("/") != "/v1/chat/completions":
            return self._error(404, f"no route {self.path}")
        faults = server.faults
        if faults.latency:
            time.sleep(faults.latency)
        status = faults.error()
        if status == 429:
            return self._error(
                429,
                "injected rate limit",
                "rate_limit_exceeded",
                {"Retry-After": f"{faults.retry_after:g}"},
            )
        if status is not None:
            return self._error(status, "injected server error", "server_error")
        if faults.always_fails(self.headers.get(SPEC_HEADER)):
            server.count("failed_question")
            return self._error(503, "injected failure: this question always fails", "server_error")
        try:
            body = _chat_body(json.loads(raw))
            dropped = faults.tools_need_choice and bool(body.get("tools"))
            if dropped and "tool_choice" not in body:
                server.count("tools_dropped")
                body.pop("tools")
            else:
                dropped = False
            if isinstance(body.get("id_slot"), int):  # llama.cpp's slot field, counted
                server.count(f"slot_{body['id_slot']}")
            prompt = _prompt_tokens(body)
            if faults.context and prompt + (body.get("max_tokens") or 0) > faults.context:
                return self._error(
                    400,
                    f"context length {faults.context} exceeded by {prompt} "
                    f"prompt tokens + max_tokens",
                    "context_length_exceeded",
                )
            if is_summarize(self.headers):  # an LLM summariser's request
                return self._send(200, self._completion(body, summarize(body, self.headers)))
            reply = server.reply(body, self.headers, dropped)
        except MissingSpec as exc:
            return self._error(400, str(exc), "missing_spec")
        except (TypeError, KeyError, ValueError, AttributeError, RecursionError) as exc:  # odd body
            hint = (
                f" (send the question spec as JSON in the {SPEC_HEADER} header, or a write "
                f"event with the {POLICY_HEADER} headers)"
            )
            return self._error(400, f"cannot script a reply: {type(exc).__name__}: {exc}{hint}")
        self._send(200, self._completion(body, reply))

    def _completion(self, body: dict[str, Any], reply: Reply) -> dict[str, Any]:
        server, faults = self.server, self.server.faults
        message: dict[str, Any] = {"role": "assistant", "content": reply.content}
        finish = "stop"
        calls: list[tuple[str, str]] = []
        for name, args in reply.calls:
            arguments = json.dumps(args)
            if faults.malform():  # broken, and the last call of the reply: order is kept
                server.count("malformed")
                calls.append((name, arguments[: len(arguments) // 2]))
                break
            if faults.misargue():  # valid JSON, wrong arguments; also the reply's last call
                server.count("wrong_args")
                calls.append((name, json.dumps(wrong_arguments(args))))
                break
            calls.append((name, arguments))
        if calls and _text_mode(_memgym_headers(self.headers)):
            message["content"] = render_calls(calls)
        elif calls:
            message["tool_calls"] = [
                {
                    "id": f"call_{server.count('tool_calls')}",
                    "type": "function",
                    "function": {"name": name, "arguments": arguments},
                }
                for name, arguments in calls
            ]
            finish = "tool_calls"
        if reply.final and faults.cut():
            server.count("truncated")
            finish = "length"
            content = message["content"] or ""
            message["content"] = content[: max(1, len(content) // 2)] if content else None
            for call in message.get("tool_calls") or []:
                arguments = call["function"]["arguments"]
                call["function"]["arguments"] = arguments[: len(arguments) // 2]
        prompt = _prompt_tokens(body)
        completion = count_tokens(json.dumps(message))
        return {
            "id": f"chatcmpl-memgym-{server.count('ok')}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body.get("model") or MODEL,
            "choices": [{"index": 0, "message": message, "finish_reason": finish}],
            "usage": {
                "prompt_tokens": prompt,
                "completion_tokens": completion,
                "total_tokens": prompt + completion,
            },
        }

    def _error(
        self,
        status: int,
        message: str,
        code: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.server.count(f"http_{status}")
        error = {"message": message, "type": "memgym_serve", "code": code}
        self._send(status, {"error": error}, headers)

    def _send(
        self, status: int, payload: dict[str, Any], headers: dict[str, str] | None = None
    ) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)


def _memgym_headers(request: Message) -> dict[str, str]:
    """The memgym headers a request carries, under their canonical names."""
    names = (TRACK_HEADER, SPEC_HEADER, TOOLS_HEADER, POLICY_HEADER, EPISODE_HEADER, WRITER_HEADER,
             SESSION_HEADER, PROBE_HEADER)  # fmt: skip
    return {name: value for name in names if (value := request.get(name)) is not None}


def _text_mode(headers: Mapping[str, str]) -> bool:
    """Whether the client speaks the text tool protocol (``X-Memgym-Tools: text``)."""
    return (headers.get(TOOLS_HEADER) or "").strip().lower() == "text"


def _prompt_tokens(body: dict[str, Any]) -> int:
    """The request's prompt size by memgym's token counter (messages and tools, as JSON)."""
    return count_tokens(json.dumps(body.get("messages"))) + count_tokens(
        json.dumps(body.get("tools"))
    )


@contextmanager
def running(
    host: str = "127.0.0.1",
    port: int = 0,
    faults: Faults | None = None,
    max_episodes: int = MAX_EPISODES,
) -> Iterator[ChatServer]:
    """A ``ChatServer`` serving in a background thread for the ``with`` block, then shut down."""
    server = ChatServer(host, port, faults, max_episodes)
    try:
        with in_background(server):
            yield server
    finally:
        server.mirrors.close()
