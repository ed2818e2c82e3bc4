"""A model over real HTTP for the interactive loop's tests (the ``test-codes`` track): it reads
its context like a careful agent, reading every page asked for, then submitting the most recent
code it can see. It records every request body and its headers, answers HTTP 400 (context
length) to prompts over ``limit`` characters as llama.cpp and vLLM do, and speaks both tool
protocols: native tool calls, or ``CALL`` lines when the request says ``X-Memgym-Tools: text``."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import pytest

from memgym.background import in_background


class CarefulModel(BaseHTTPRequestHandler):
    requests: ClassVar[list[dict[str, Any]]] = []
    headers_seen: ClassVar[list[dict[str, str]]] = []
    limit = 10**9
    failures = 0  # the next this many requests get HTTP 503
    delay = 0.0  # seconds each reply waits

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        """The model list (what a run checks before it starts)."""
        self._send(200, {"object": "list", "data": [{"id": "careful", "object": "model"}]})

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if type(self).failures > 0:
            type(self).failures -= 1
            return self._send(503, {"error": {"message": "overloaded"}})
        time.sleep(self.delay)
        type(self).requests.append(body)
        type(self).headers_seen.append({k.lower(): v for k, v in self.headers.items()})
        messages = body["messages"]
        if sum(len(m.get("content") or "") for m in messages) > self.limit:
            error = {"error": {"message": "This model's maximum context length is exceeded"}}
            return self._send(400, error)
        text_mode = self.headers.get("X-Memgym-Tools") == "text"
        n = len(type(self).requests)
        name, args = _next_step(messages, text_mode)
        if name == "":
            message: dict[str, Any] = {"role": "assistant", "content": "Done."}
        elif text_mode:
            message = {"role": "assistant", "content": f"Next.\nCALL {name} {json.dumps(args)}"}
        else:
            function = {"name": name, "arguments": json.dumps(args)}
            message = {"role": "assistant", "content": None,
                       "tool_calls": [{"id": f"c{n}", "type": "function", "function": function}]}  # fmt: skip
        usage = {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15}
        reply = {"choices": [{"message": message, "finish_reason": "stop"}], "usage": usage}
        self._send(200, reply)

    def _send(self, status: int, payload: dict[str, Any]) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def _is_result(message: dict[str, Any], text_mode: bool) -> bool:
    content = message.get("content") or ""
    return message["role"] == "tool" or (text_mode and content.startswith("RESULT"))


def _next_step(messages: list[dict[str, Any]], text_mode: bool) -> tuple[str, dict[str, Any]]:
    """The next call (name, arguments), or ``("", {})`` once the code was submitted."""
    last = messages[-1]
    if _is_result(last, text_mode) and (last.get("content") or "").endswith("submitted"):
        return "", {}
    user = [m for m in messages if m["role"] == "user" and not _is_result(m, text_mode)]
    text = " ".join(m.get("content") or "" for m in user)
    codes = re.findall(r"K\d{6}", text)
    pages = int(re.findall(r"pages 1 to (\d+)", text)[-1]) if text else 0
    read = 0
    for m in reversed(messages):
        if m["role"] == "user" and not _is_result(m, text_mode):
            break
        calls = [c["function"]["name"] for c in m.get("tool_calls") or []]
        if text_mode and m["role"] == "assistant":
            calls = re.findall(r"^CALL (\S+)", m.get("content") or "", re.MULTILINE)
        read += calls.count("read_page")
    if read < pages:
        return "read_page", {"n": read + 1}
    return "submit", {"code": codes[-1] if codes else "none"}


@pytest.fixture
def model_url() -> Iterator[str]:
    """The base URL of a fresh ``CarefulModel`` server (its records emptied)."""
    CarefulModel.requests = []
    CarefulModel.headers_seen = []
    CarefulModel.limit = 10**9
    CarefulModel.failures = 0
    CarefulModel.delay = 0.0
    with in_background(ThreadingHTTPServer(("127.0.0.1", 0), CarefulModel)) as server:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1"
