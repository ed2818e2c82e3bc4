"""The model flags of ``run`` and ``compare`` reach the interactive ``llm`` agent's requests, each
checked on what a real HTTP server received (the ``test-codes`` track, ``CarefulModel``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from memgym.cli import main
from memgym.llm.fit import completion_tokens, message_tokens, prompt_budget
from memgym.llm.slots import slot_pool
from tests.interactive.careful_model import CarefulModel
from tests.interactive.world import TOOLS, CodesTrack

TASKS, PAGES = 2, 3  # the test track's lite tier, with two tasks (fewer requests)
TURNS = PAGES + 2  # reads, the submit, the closing text


def _run(url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], *flags: str) -> Any:
    """``memgym run --track test-codes`` with the careful model and ``flags``; its JSON."""
    args = ["run", "--track", "test-codes", "--model", "careful", "--base-url", url,
            "--episode-retries", "0", "--param", f"tasks={TASKS}",
            "--results", str(tmp_path / "r.sqlite"), "--json", *flags]  # fmt: skip
    code = main(args)
    return code, json.loads(capsys.readouterr().out)


def test_max_tokens_reaches_every_request(
    codes_track: CodesTrack, model_url: str, tmp_path, capsys
):
    code, out = _run(model_url, tmp_path, capsys, "--seeds", "1", "--max-tokens", "77")
    assert code == 0 and out["episodes"][0]["composite"] == 1.0
    assert len(CarefulModel.requests) == TASKS * TURNS
    assert {r["max_tokens"] for r in CarefulModel.requests} == {77}


def test_timeout_bounds_each_request(codes_track: CodesTrack, model_url: str, tmp_path, capsys):
    """A model slower than ``--timeout`` fails the session as infra_error (not retried here)."""
    CarefulModel.delay = 1.0
    url = f"llm:model=careful,base_url={model_url},max_retries=0"

    def run(timeout: str, results: str) -> tuple[int, Any]:
        args = ["run", "--track", "test-codes", "--reasoner", url, "--timeout", timeout,
                "--seeds", "1", "--episode-retries", "0", "--param", "tasks=1",
                "--results", str(tmp_path / results), "--json"]  # fmt: skip
        code = main(args)
        return code, json.loads(capsys.readouterr().out)["episodes"][0]

    code, episode = run("0.3", "a.sqlite")
    assert code == 1 and episode["status"] == "infra_error"
    assert "timeout" in episode["reason"].lower()
    code, episode = run("5", "b.sqlite")  # the same model within the limit
    assert code == 0 and episode["status"] == "ok" and episode["composite"] == 1.0


def test_cache_replays_every_call(codes_track: CodesTrack, model_url: str, tmp_path, capsys):
    cache = str(tmp_path / "calls.sqlite")
    code, first = _run(model_url, tmp_path, capsys, "--seeds", "1", "--cache", cache)
    asked = len(CarefulModel.requests)
    assert code == 0 and asked == TASKS * TURNS
    (tmp_path / "r.sqlite").unlink()
    code, again = _run(model_url, tmp_path, capsys, "--seeds", "1", "--cache", cache)
    assert code == 0 and len(CarefulModel.requests) == asked  # nothing sent the second time
    assert again["episodes"][0]["usage"]["cached"] == asked
    assert again["episodes"][0]["composite"] == first["episodes"][0]["composite"] == 1.0


def test_context_window_keeps_every_request_inside_it(
    codes_track: CodesTrack, model_url: str, tmp_path, capsys
):
    """A view that outgrows the declared window is an overflow before it is sent: the memory's
    forced compaction makes it fit, so no request the server gets is over the window."""
    window = 900
    code, out = _run(model_url, tmp_path, capsys, "--seeds", "1", "--context-window", str(window))
    (episode,) = out["episodes"]
    assert code == 0 and episode["reasoner"].endswith(f",context_window={window}")
    room = completion_tokens(window, 0)
    budget = prompt_budget(window, room, TOOLS)
    sizes = [sum(message_tokens(m) for m in r["messages"]) for r in CarefulModel.requests]
    assert {r["max_tokens"] for r in CarefulModel.requests} == {room}
    assert max(sizes) <= budget < TASKS * PAGES * 150  # the whole history would not fit
    assert episode["usage"]["overflows"] > 0
    assert episode["usage"]["calls"] == len(CarefulModel.requests)  # an overflow sent nothing


def test_slots_pin_each_session_to_one_slot(
    codes_track: CodesTrack, model_url: str, tmp_path, capsys
):
    code, out = _run(model_url, tmp_path, capsys, "--seeds", "2", "--concurrency", "2",
                     "--slots", "2")  # fmt: skip
    assert code == 0 and [e["composite"] for e in out["episodes"]] == [1.0, 1.0]
    by_session: dict[str, set[int]] = {}
    for r in CarefulModel.requests:
        assert r["cache_prompt"] is True
        head = r["messages"][1]["content"]  # the pinned first errand names the session
        by_session.setdefault(head, set()).add(r["id_slot"])
    assert sorted(by_session.values(), key=sorted) == [{0}, {1}]
    assert slot_pool(model_url, 2).holders == [0, 0]  # every slot given back


def test_tools_text_offers_tools_in_the_prompt(
    codes_track: CodesTrack, model_url: str, tmp_path, capsys
):
    code, out = _run(model_url, tmp_path, capsys, "--seeds", "1", "--tools", "text")
    (episode,) = out["episodes"]
    assert code == 0 and episode["composite"] == 1.0 and episode["reasoner"].endswith(",tools=text")
    assert episode["usage"]["tool_calls"] == TASKS * (PAGES + 1)
    for body, headers in zip(CarefulModel.requests, CarefulModel.headers_seen, strict=True):
        assert "tools" not in body and headers["x-memgym-tools"] == "text"
        assert "CALL read_page" in body["messages"][0]["content"]  # the system prompt lists them
        assert all(m["role"] in ("system", "user", "assistant") for m in body["messages"])


def test_max_turns_ends_each_task(codes_track: CodesTrack, model_url: str, tmp_path, capsys):
    code, out = _run(model_url, tmp_path, capsys, "--seeds", "1", "--max-turns", "2")
    (episode,) = out["episodes"]
    assert code == 0 and episode["composite"] == 0.0  # two reads, never the submit
    assert len(CarefulModel.requests) == episode["usage"]["turns"] == TASKS * 2


def test_compare_passes_the_flags_to_the_agent(
    codes_track: CodesTrack, model_url: str, tmp_path, capsys
):
    args = ["compare", "--track", "test-codes", "--seeds", "1", "--model", "careful",
            "--base-url", model_url, "--max-tokens", "55", "--tools", "text", "--param", "tasks=1",
            "--results", str(tmp_path / "c.sqlite"), "--json"]  # fmt: skip
    assert main(args) == 0
    capsys.readouterr()
    assert CarefulModel.requests and {r["max_tokens"] for r in CarefulModel.requests} == {55}
    assert all("tools" not in r for r in CarefulModel.requests)


def test_a_flag_without_a_model_is_one_line(codes_track: CodesTrack, tmp_path, capsys):
    args = ["run", "--track", "test-codes", "--context-window", "2048",
            "--results", str(tmp_path / "r.sqlite")]  # fmt: skip
    assert main(args) == 2
    assert "--context-window needs a model" in capsys.readouterr().err
