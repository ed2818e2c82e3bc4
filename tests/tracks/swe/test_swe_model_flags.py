"""``memgym run --track swe --model M --base-url URL``: an OpenAI-compatible model over real HTTP
drives the session; its tool calls run in the sandbox and their output comes back to it."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest

from memgym.cli import main
from memgym.run.results import ResultsStore
from tests.engines import needs

pytestmark = needs("swe")


class _Reader(BaseHTTPRequestHandler):
    """A model that lists the functions of the file its issue names, then says it is done."""

    requests: ClassVar[list[dict[str, Any]]] = []

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:  # the endpoint check before a run
        self._send({"object": "list", "data": [{"id": "reader", "object": "model"}]})

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).requests.append(body)
        last = body["messages"][-1]
        if last["role"] == "user":
            file = re.findall(r"in `(\w+\.py)`", last["content"])[0]
            function = {"name": "bash", "arguments": json.dumps({"command": f"grep -c def {file}"})}
            message: dict[str, Any] = {"role": "assistant", "content": None, "tool_calls": [
                {"id": f"c{len(self.requests)}", "type": "function", "function": function}]}  # fmt: skip
        else:
            message = {"role": "assistant", "content": "I looked; done."}
        usage = {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15}
        self._send({"choices": [{"message": message, "finish_reason": "stop"}], "usage": usage})

    def _send(self, payload: dict[str, Any]) -> None:
        data = json.dumps(payload).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def model_url() -> Iterator[str]:
    _Reader.requests = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Reader)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    finally:
        server.shutdown()
        server.server_close()


def test_model_flags_drive_a_swe_session(model_url: str, tmp_path: Path) -> None:
    results = tmp_path / "r.sqlite"
    argv = ["run", "--track", "swe", "--seeds", "1", "--seed", "5", "--model", "reader",
            "--base-url", model_url, "--results", str(results)]  # fmt: skip
    assert main(argv) == 0
    with ResultsStore(results) as store:
        (run_id,) = [r["id"] for r in store.runs()]
        (episode,) = list(store.episodes(run_id))
    assert episode.model == "reader" and episode.composite == 0.0
    # three fix issues and three redos: one tool call and one closing reply each
    assert episode.usage["tool_calls"] == 6 and episode.usage["calls"] == 12
    tool_results = [
        m["content"] for r in _Reader.requests for m in r["messages"][-1:] if m["role"] == "tool"
    ]
    assert len(tool_results) == 6
    assert all(re.match(r"\d+\n\[exit code 0\]$", t) for t in tool_results), tool_results
    assert all("module unchanged; 1 tool calls (0 refused)" in a.answer for a in episode.answers)
