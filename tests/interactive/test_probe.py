"""The endpoint probe catches a model endpoint that keeps state between requests, and passes one
that answers each request from that request alone (both real OpenAI-compatible HTTP servers)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from memgym.background import in_background
from memgym.cli import main
from memgym.interactive.probe import probe_agent, probe_endpoint
from memgym.tracks import get_track

_TOLD = re.compile(r"code word is (\S+?)\.")


@contextmanager
def endpoint(stateful: bool) -> Iterator[str]:
    """A chat-completions server answering with the last code word it was told: in this request
    only, or (``stateful``) in any request it has served."""
    heard: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            text = " ".join(str(m.get("content") or "") for m in body["messages"])
            words = _TOLD.findall(text)
            if stateful:
                heard.extend(words)
                words = list(heard)
            last = str(body["messages"][-1].get("content"))
            content = "ok" if "code word is" in last else (words[-1] if words else "none")
            reply = {
                "id": "r", "object": "chat.completion", "created": 0, "model": body["model"],
                "choices": [{"index": 0, "finish_reason": "stop",
                             "message": {"role": "assistant", "content": content}}],
                "usage": {"prompt_tokens": 10, "completion_tokens": 1, "total_tokens": 11},
            }  # fmt: skip
            data = json.dumps(reply).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    with in_background(ThreadingHTTPServer(("127.0.0.1", 0), Handler)) as server:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1"


def _spec(url: str) -> str:
    return f"llm:model=m,base_url={url},max_retries=0,cache=calls.sqlite"


def test_a_stateful_endpoint_is_caught_and_a_stateless_one_passes() -> None:
    track = get_track("web")
    with endpoint(stateful=False) as url:
        clean = probe_endpoint(probe_agent(_spec(url), track))
    assert clean.stateless, clean.problems
    assert clean.answers == ["none"] * 3
    with endpoint(stateful=True) as url:
        kept = probe_endpoint(probe_agent(_spec(url), track))
    assert not kept.stateless
    assert kept.answers[:2] == ["none", "none"] and kept.answers[2] == kept.word
    assert any("code word" in p for p in kept.problems)


def test_the_probe_takes_llm_specs_only() -> None:
    with pytest.raises(ValueError, match="llm agent spec"):
        probe_agent("context", get_track("web"))


def test_memgym_audit_fails_on_a_stateful_endpoint(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["audit", "--track", "web", "--probe-only", "--endpoint"]
    with endpoint(stateful=True) as url:
        assert main([*args, _spec(url)]) == 1
    assert "endpoint probe failed" in " ".join(capsys.readouterr().err.split())
    with endpoint(stateful=False) as url:
        assert main([*args, _spec(url)]) == 0
    assert "endpoint probe: pass" in " ".join(capsys.readouterr().err.split())
