"""The ``llm`` agent on the web track over real HTTP: a scripted OpenAI-compatible model that
reads its context like a careful agent (it finds a record by the title and date an errand names,
in the pages it still sees). Through ``memgym run --model --base-url`` with ``full`` history it
solves every errand; with ``none`` only the reviews (which are not scored), because the pages it
read are gone from its view."""

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
from memgym.interactive.episode import evaluate_interactive
from memgym.run.results import ResultsStore
from memgym.tracks.web.track import WebTrack
from tests.tracks.web.small import SMALL

ROW = re.compile(
    r'link "([^"]+)"\n\s*- text: (.+?) · \S+ (.+?) · (\d{4}-\d\d-\d\d) · \S+ (.+?) · [^·\n]+$',
    re.MULTILINE,
)
NAMED = re.compile(r'"(.+?)" dated (\d{4}-\d\d-\d\d)')


def next_action(messages: list[dict[str, Any]]) -> tuple[str, dict[str, str]] | None:
    """The careful agent's next tool call for the errand in progress (None: reply done)."""
    start = max(i for i, m in enumerate(messages) if m["role"] == "user")
    errand = messages[start]["content"]
    since = [m for m in messages[start + 1 :] if m["role"] == "tool"]
    last = since[-1]["content"] if since else ""
    review = re.search(
        r"open page (\d+) \(url #/list/\d+\) and follow 'Next page' up to page (\d+)", errand
    )
    if review:
        if not since:
            return "goto", {"url": f"#/list/{review.group(1)}"}
        shown = re.search(r"url: #/list/(\d+)", last)
        if shown and int(shown.group(1)) < int(review.group(2)):
            return "click", {"role": "link", "name": "Next page"}
        return None
    title, date = NAMED.search(errand).groups()  # type: ignore[union-attr]
    seen = "\n".join(m.get("content") or "" for m in messages if m["role"] == "tool")
    rows = {(t, d): (rid, value) for rid, t, _, d, value in ROW.findall(seen)}
    if (title, date) not in rows:
        return None  # it cannot see the record any more: it gives up, as told, without paging
    rid, value = rows[(title, date)]
    note = re.search(r"Open \w+ (\S+) \(url", errand)
    if note is None:
        action = re.search(r"use '(.+?)' on it", errand).group(1)  # type: ignore[union-attr]
        plan = [("goto", {"url": f"#/item/{rid}"}), ("click", {"role": "button", "name": action})]
    else:
        plan = [
            ("goto", {"url": f"#/item/{note.group(1)}"}),
            ("type_text", {"name": "Note", "text": value}),
            ("click", {"role": "button", "name": "Save note"}),
        ]
    return plan[len(since)] if len(since) < len(plan) else None


class _Careful(BaseHTTPRequestHandler):
    requests: ClassVar[list[dict[str, Any]]] = []

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:  # the endpoint check memgym run makes first
        self._send({"object": "list", "data": [{"id": "careful", "object": "model"}]})

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).requests.append(body)
        action = next_action(body["messages"])
        if action is None:
            message: dict[str, Any] = {"role": "assistant", "content": "Done."}
        else:
            n = len(type(self).requests)
            function = {"name": action[0], "arguments": json.dumps(action[1])}
            message = {"role": "assistant", "content": None,
                       "tool_calls": [{"id": f"c{n}", "type": "function", "function": function}]}  # fmt: skip
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
def careful_url() -> Iterator[str]:
    _Careful.requests = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Careful)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    finally:
        server.shutdown()
        server.server_close()


def test_a_careful_model_needs_its_history(
    browser_ready: None, careful_url: str, tmp_path: Path
) -> None:
    track = WebTrack()
    scenario = track.generate(2, "lite", **SMALL)
    world = track.world(scenario)
    results = tmp_path / "r.sqlite"
    params = [arg for k, v in SMALL.items() for arg in ("--param", f"{k}={v}")]
    code = main(["run", "--track", "web", "--tier", "lite", *params, "--seed", "2", "--seeds", "1",
                 "--model", "careful", "--base-url", careful_url, "--results", str(results)])  # fmt: skip
    assert code == 0
    with ResultsStore(results) as store:
        (run_id,) = [r["id"] for r in store.runs()]
        (full,) = list(store.episodes(run_id))
    assert full.composite == 1.0 and full.model == "careful" and full.memory == "full"
    assert full.usage["tool_calls"] == sum(len(t.steps) for t in world.tasks)
    assert all(r["tools"] and r.get("tool_choice") == "auto" for r in _Careful.requests)
    agent = f"llm:model=careful,base_url={careful_url}"
    none = evaluate_interactive(track, scenario, "none", agent)
    reviews = sum(t.kind == "review" for t in world.tasks)
    assert none.correct == 0 and none.questions == len(world.tasks) - reviews
    assert none.usage["setup_tasks"] == none.usage["setup_solved"] == reviews  # reported apart
