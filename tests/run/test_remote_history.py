"""An interactive history compacted behind the boundary (``memgym.run.remote_history``) gives
the agent the same views and the evaluator the same records as the same memory in process;
every message crosses once; a history that stops extending what was sent is sent again whole;
bad requests and bad replies are one-line ``WorkerError``s."""

from __future__ import annotations

import json
from typing import Any

import pytest

from memgym.memory.history.history_memory import HistoryMemory
from memgym.run.remote import WorkerError, shared_worker
from memgym.run.remote_history import Histories, RemoteHistory
from memgym.run.sandbox import PROCESS, SANDBOX, sandboxed
from memgym.run.wire import chat_from_wire

SPEC = "window:max_tokens=120"
TRACK = "swe"


def history(turns: int) -> list[dict[str, Any]]:
    """A chat history as an agent loop builds it: system and task first, then tool calls with
    their results and replies (every third turn states a number)."""
    messages: list[dict[str, Any]] = [
        {"role": "system", "content": "You fix bugs."},
        {"role": "user", "content": "The parser drops the last row; fix it."},
    ]
    for n in range(turns):
        call = {"id": f"c{n}", "type": "function",
                "function": {"name": "bash", "arguments": json.dumps({"cmd": f"cat f{n}.py"})}}  # fmt: skip
        messages.append({"role": "assistant", "content": None, "tool_calls": [call]})
        body = f"line {n}: " + " ".join(f"word{n}x{i}" for i in range(20))
        messages.append({"role": "tool", "tool_call_id": f"c{n}", "content": body})
        if n % 3 == 0:
            messages.append({"role": "user", "content": f"Note: the limit is {n * 7}."})
    return messages


def plain(records: list[Any]) -> list[dict[str, Any]]:
    return [r.model_dump(mode="json") for r in records]


def test_the_same_views_and_records_as_in_process() -> None:
    messages = history(14)
    here = HistoryMemory(SPEC, TRACK, "ep")
    there = Histories(isolate=True)(SPEC, TRACK, "ep")
    assert isinstance(there, RemoteHistory)
    assert there.boundary == (SANDBOX if sandboxed() else PROCESS)
    assert there.config() == here.config() == SPEC
    sent: list[int] = []
    original = there._conn.call

    def counted(request: dict[str, Any]) -> dict[str, Any]:
        sent.append(len(request.get("messages") or []))
        return original(request)

    there._conn.call = counted  # type: ignore[method-assign]
    views = 0
    for end in range(3, len(messages) + 1, 2):
        assert there.compact(messages[:end]) == here.compact(messages[:end])
        views += 1
    assert there.force() == here.force()
    assert there.compact(messages) == here.compact(messages)
    there.close()
    here.close()
    assert len(here.records) > 2  # the window compacted, and was forced once
    assert plain(there.records) == plain(here.records)
    assert {r.episode for r in there.records} == {"ep"}
    # every message crossed once (the force and the end carry none)
    assert sum(sent) == len(messages)
    assert len(sent) == views + 3


def test_a_history_that_does_not_extend_what_was_sent_is_sent_whole() -> None:
    first, second = history(6), history(6)
    second[1] = {"role": "user", "content": "Another task: the export is slow."}
    here = HistoryMemory(SPEC, TRACK, "ep")
    there = Histories(isolate=True)(SPEC, TRACK, "ep")
    try:
        assert there.compact(first) == here.compact(first)
        assert there.compact(second) == here.compact(second)
        assert there.compact(second[:-2]) == here.compact(second[:-2])
    finally:
        there.close()


def test_memgyms_own_memory_stays_in_process_unless_isolated() -> None:
    assert isinstance(Histories()(SPEC, TRACK, "ep"), HistoryMemory)
    assert not Histories().remote(SPEC) and Histories(isolate=True).remote(SPEC)
    assert Histories().remote("not-memgyms:keep=3")  # unknown here: a plugin's, in the worker


def test_bad_input_is_one_line() -> None:
    with pytest.raises(WorkerError, match="no memory named 'no-such-memory'|unknown memory"):
        Histories(isolate=True)("no-such-memory", TRACK, "ep")
    there = Histories(isolate=True)(SPEC, TRACK, "ep")
    try:
        with pytest.raises(WorkerError, match="compact from 5: not a message index held here"):
            there._conn.call({"op": "compact", "from": 5, "messages": []})
        with pytest.raises(WorkerError, match="expected a list of chat messages"):
            there._conn.call({"op": "compact", "from": 0, "messages": [{"role": "boss"}]})
    finally:
        there.close()
    worker = shared_worker((), (SPEC,))
    conn = worker.connect()
    try:
        with pytest.raises(WorkerError, match="send history first"):
            conn.call({"op": "compact", "from": 0, "messages": []})
    finally:
        conn.close()
    with pytest.raises(ValueError, match="a view: expected a list of chat messages"):
        chat_from_wire([{"content": "no role"}], "worker: a view")
