"""The fine-tuning rows are the conversations ``memgym run`` has with a model, call for call."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from memgym.cli import main
from memgym.envs.expert import run_expert
from memgym.envs.trajectories import chat_record
from memgym.llm.cache import CallCache, cache_key
from memgym.llm.textcalls import parse_calls
from memgym.run.results import ResultsStore
from memgym.serve import running
from memgym.tracks import get_track
from memgym.train.dataset import ROW_FORMAT, answer_conversations, read_rows

PARAMS = {"entities": 6, "questions": 3}
SEED = 3


def _record() -> dict:
    scenario = get_track("entities").generate(SEED, "lite", **PARAMS)
    expert = run_expert(scenario, "strategic", tier="lite", overrides=PARAMS)
    return json.loads(json.dumps(chat_record(expert)))


def test_each_assistant_turn_is_what_the_run_path_sent_and_got(tmp_path: Path) -> None:
    """memgym run (llm reasoner, tools=text) against memgym serve, which answers as the expert:
    every prefix of every row was a request of that run, and the reply to it is the row's turn."""
    record = _record()
    rows = list(answer_conversations(record))
    assert len(rows) == PARAMS["questions"]
    cache = tmp_path / "calls.sqlite"
    with running() as server:
        code = main(
            [
                "run",
                "--tier",
                "lite",
                "--seed",
                str(SEED),
                "--seeds",
                "1",
                "--param",
                f"entities={PARAMS['entities']}",
                "--param",
                f"questions={PARAMS['questions']}",
                "--memory",
                "agentic:policy=strategic",
                "--reasoner",
                f"llm:base_url={server.base_url},tools=text",
                "--cache",
                str(cache),
                "--results",
                str(tmp_path / "r.sqlite"),
            ]
        )
    assert code == 0
    calls = CallCache(cache)
    turns = 0
    for row in rows:
        messages = row["messages"]
        for i, message in enumerate(messages):
            if message["role"] != "assistant":
                continue
            key = cache_key("memgym-scripted", messages[:i], None, {"temperature": 0.0})
            reply = calls.get(key)
            assert reply is not None, f"the run never sent row {row['memgym']} up to turn {i}"
            assert reply["choices"][0]["message"]["content"] == message["content"]
            turns += 1
    calls.close()
    assert turns >= 2 * len(rows)  # at least a search and an answer per question
    with ResultsStore.open_read(tmp_path / "r.sqlite") as store:
        (episode,) = store.episodes(compactions=False)
    scored = {a.question_id: a.correct for a in episode.answers}
    assert {r["memgym"]["question_id"]: r["memgym"]["correct"] for r in rows} == scored


def test_rows_hold_the_expert_calls_in_order() -> None:
    record = _record()
    expected = [
        (c["function"]["name"], json.loads(c["function"]["arguments"]))
        for m in record["messages"]
        for c in m.get("tool_calls") or []
        if c["function"]["name"] in ("memory_search", "memory_read", "submit_answer")
    ]
    got = []
    for row in answer_conversations(record):
        for m in row["messages"]:
            if m["role"] == "assistant":
                got += [(c.name, json.loads(c.arguments)) for c in parse_calls(m["content"])]
    assert got == expected
    submitted = [a for n, a in got if n == "submit_answer"]
    assert len(submitted) == PARAMS["questions"]


def test_read_rows_takes_records_and_rows_and_refuses_others(tmp_path: Path) -> None:
    record = _record()
    rows = list(answer_conversations(record))
    lines = [json.dumps(record), json.dumps(rows[0]), ""]
    again = list(read_rows(lines))
    assert len(again) == len(rows) + 1 and again[-1] == rows[0]
    assert all(r["memgym"]["format"] == ROW_FORMAT for r in again)
    with pytest.raises(ValueError, match="line 1 is not JSON"):
        list(read_rows(["{oops"]))
    with pytest.raises(ValueError, match="line 2 is not a JSON object"):
        list(read_rows([json.dumps(rows[0]), "[1, 2]"]))
    with pytest.raises(ValueError, match="not a memgym-chat-v1 chat record"):
        list(read_rows([json.dumps({"messages": []})]))
    record["memgym"]["seed"] += 1
    with pytest.raises(ValueError, match="regenerates to another hash"):
        list(read_rows([json.dumps(record)]))
