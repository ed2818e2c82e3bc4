"""Models over real HTTP in a τ²-bench session: memgym's ``llm`` agent (OpenAI-compatible client)
serving a scripted customer, and τ²-bench's own user simulator (through litellm) as the customer
of the gold agent. The served model is a small rule-following program, so rewards are exact."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import pytest

from memgym.tracks.tau2 import loader

if not loader.available():
    pytest.skip(loader.MISSING, allow_module_level=True)

from memgym.interactive.episode import evaluate_interactive
from memgym.tracks import get_track

TRACK = get_track("tau2")
TASK = re.compile(r"task called '([^']+)' for (user_\d+)")


class _Served(BaseHTTPRequestHandler):
    """As the agent (its system prompt holds the policy): create the task the customer asked
    for, then end the call. As the customer (τ²-bench's user simulator): ask for the task of
    its scenario, then hang up."""

    requests: ClassVar[list[dict[str, Any]]] = []

    def log_message(self, *args: object) -> None:
        pass

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).requests.append(body)
        messages = body["messages"]
        system = messages[0]["content"] if messages[0]["role"] == "system" else ""
        if "<policy>" in system:
            message = self._agent(messages)
        else:
            asked = any(m["role"] == "assistant" for m in messages[1:])
            title, user = TASK.findall(system)[0]
            text = f"Please create a task called '{title}' for {user}."
            message = {"role": "assistant", "content": "Thanks! ###STOP###" if asked else text}
        usage = {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15}
        reply = {
            "id": "x", "object": "chat.completion", "created": 0, "model": body["model"],
            "choices": [{"index": 0, "message": message, "finish_reason": "stop"}], "usage": usage,
        }  # fmt: skip
        data = json.dumps(reply).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    @staticmethod
    def _agent(messages: list[dict[str, Any]]) -> dict[str, Any]:
        if messages[-1]["role"] == "tool":
            return {"role": "assistant", "content": "Your task is created. ###STOP###"}
        found = TASK.findall(messages[-1].get("content") or "")
        if not found:
            return {"role": "assistant", "content": "I cannot help with that. ###STOP###"}
        arguments = json.dumps({"user_id": found[0][1], "title": found[0][0]})
        call = {
            "id": "c1",
            "type": "function",
            "function": {"name": "create_task", "arguments": arguments},
        }
        return {"role": "assistant", "content": None, "tool_calls": [call]}


@pytest.fixture
def base_url() -> Iterator[str]:
    _Served.requests = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Served)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    finally:
        server.shutdown()
        server.server_close()


def test_the_llm_agent_serves_a_scripted_customer_over_http(base_url: str) -> None:
    scenario = TRACK.generate(0, None, domain="mock", customers=1)
    assert [e.text for e in scenario.events] == ["mock/create_task_1"]
    agent = f"llm:model=rules,base_url={base_url}"
    result = evaluate_interactive(TRACK, scenario, "full", agent)  # type: ignore[arg-type]
    # one customer, no callback: the task is served in one call, solved and reported apart
    assert result.usage["setup_tasks"] == result.usage["setup_solved"] == 1
    assert result.model == "rules" and not result.answers
    assert result.usage["tool_calls"] == 1 and result.usage["calls"] == len(_Served.requests) == 2
    first = _Served.requests[0]
    assert first["tool_choice"] == "auto"
    assert "create_task" in {t["function"]["name"] for t in first["tools"]}
    assert first["messages"][1]["content"].startswith("[Shift]")  # the pinned head: no customer
    assert first["messages"][2]["content"].startswith("[Call 1] I am a team member")


def test_tau2s_user_simulator_is_the_customer_over_http(base_url: str) -> None:
    scenario = TRACK.generate(
        0, None, domain="mock", customers=1, user=f"llm:model=sim,base_url={base_url}"
    )
    result = evaluate_interactive(TRACK, scenario, "full", "gold")
    assert result.usage["setup_tasks"] == result.usage["setup_solved"] == 1, result.usage
    users = [r for r in _Served.requests if "<policy>" not in r["messages"][0]["content"]]
    assert len(users) == 2 and all(r["model"] == "sim" for r in users)
    assert "Important Meeting" in users[0]["messages"][0]["content"]  # its scenario, τ²-style
