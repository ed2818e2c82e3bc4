"""The LLM writer (``agentic-llm``) against a canned model over real HTTP: every bad call is an error
result the model sees, a counted tool error, and leaves the store exactly as it was."""

import json

import pytest

from memgym.memory import make_memory
from memgym.memory.agentic import budget_from_params
from memgym.memory.agentic_llm import describe_budget, event_message, parse_event_message
from memgym.tokens import count_tokens
from memgym.types import Event
from tests.llm.canned import call, calls, canned, text

PARAMS = {"write_budget": 2, "max_write_tokens": 12}
EVENT = Event(step=0, kind="document", text="Orvona Group reports revenue of 120 million USD.")


def writer(track, server, extra=""):
    memory = make_memory(
        f"agentic-llm:model=m,base_url={server.base_url},max_retries=0{extra}", track
    )
    memory.reset("Keep the latest values.", PARAMS)
    return memory


def snapshot(memory):
    store = memory.store
    return [(e.id, e.text) for e in store.entries()], store.writes_used, store.tokens_used


def tool_results(request):
    return [json.loads(m["content"]) for m in request["messages"] if m["role"] == "tool"]


# (name, raw arguments, reason of the error the model gets back; None: a store refusal)
BAD_CALLS = [
    ("memory_write", '{"text": "Orvona', "invalid_tool_json"),
    ("memory_erase", '{"id": 1}', "unknown_tool"),
    ("submit_answer", '{"answer": "1"}', "unknown_tool"),  # an answer tool, not a write tool
    ("memory_edit", '{"id": "1", "text": "x"}', "wrong_arguments"),
    ("memory_edit", '{"id": true, "text": "x"}', "wrong_arguments"),
    ("memory_write", '{"text": "x", "tags": ["a"]}', "wrong_arguments"),
    ("memory_write", "{}", "wrong_arguments"),
    ("memory_write", '["x"]', "wrong_arguments"),
    ("memory_delete", '{"id": 0}', "wrong_arguments"),
    ("memory_search", '{"query": "x", "k": 51}', "wrong_arguments"),
    ("memory_delete", '{"id": 99}', None),
    ("memory_edit", '{"id": 1, "text": "' + "word " * 40 + '"}', None),
    ("memory_write", '{"text": "a third entry"}', None),  # over the budget of 2 writes
]


def test_each_bad_call_is_an_error_result_and_changes_nothing(track):
    """One event: two good writes, then every bad call in turn, each in its own reply."""
    kept = ["Orvona Group | revenue_musd=120", "Neskar Labs | staff=40"]
    setup = calls(
        *(call("memory_write", json.dumps({"text": t}), f"w{i}") for i, t in enumerate(kept))
    )
    bad = [
        calls(call(name, arguments, f"bad{i}")) for i, (name, arguments, _) in enumerate(BAD_CALLS)
    ]
    with canned([setup, *bad]) as server:
        memory = writer(track, server, ",max_turns=20")
        memory.observe(EVENT)
        requests = server.requests
    assert len(requests) == len(BAD_CALLS) + 2  # the last reply, a plain one, ends the event
    written = tool_results(requests[1])
    assert [r["id"] for r in written] == [1, 2] and written[1]["writes_left"] == 0
    for i, (name, arguments, reason) in enumerate(BAD_CALLS):
        result = tool_results(requests[i + 2])[-1]
        assert "error" in result and result.get("reason") == reason, (name, arguments, result)
    usage = memory.usage()
    assert usage["tool_errors"] == len(BAD_CALLS) and usage["calls"] == len(requests)
    tokens = sum(count_tokens(t) for t in kept)
    assert snapshot(memory) == ([(1, kept[0]), (2, kept[1])], 2, tokens)
    assert memory.store.refusals == sum(reason is None for _, _, reason in BAD_CALLS)
    memory.close()


def test_the_model_sees_the_brief_budget_tools_and_event(track):
    with canned([]) as server:
        memory = writer(track, server)
        memory.observe(EVENT)
        memory.observe(Event(step=1, kind="question", text="What is it?"))  # never shown
        (request,) = server.requests
    system, user = request["messages"]
    assert "Keep the latest values." in system["content"]
    assert describe_budget(budget_from_params(PARAMS)) in system["content"]
    assert "2 writes" in system["content"] and "12 tokens per entry" in system["content"]
    assert parse_event_message(user["content"]) == (0, EVENT.text)
    names = [t["function"]["name"] for t in request["tools"]]
    assert names == ["memory_write", "memory_edit", "memory_delete", "memory_search", "memory_read"]
    assert memory.usage()["tool_errors"] == 0 and memory.writes_used == 0


def test_the_turn_limit_ends_an_event(track):
    search = calls(call("memory_search", '{"query": "Orvona"}'))
    with canned([search] * 5) as server:
        memory = writer(track, server, ",max_turns=3")
        memory.observe(EVENT)
        assert len(server.requests) == 3
        memory.observe(EVENT)  # the next event starts afresh with the rest of the queue
        assert len(server.requests) == 6
        assert event_message(1, EVENT.text) == server.requests[3]["messages"][1]["content"]
    assert memory.usage()["tool_errors"] == 0


def test_text_mode_calls_and_malformed_lines(track):
    reply = text(
        "I will store it.\n"
        'CALL memory_write {"text": "Orvona Group | revenue_musd=120"}\n'
        'CALL memory_write {"text": "broken\n'
        "CALL\n"
        'CALL memory_read {"id": 1}'
    )
    with canned([reply]) as server:
        memory = writer(track, server, ",tools=text")
        memory.observe(EVENT)
        first, second = server.requests
    assert "tools" not in first and "CALL <tool>" in first["messages"][0]["content"]
    lines = second["messages"][-1]["content"].splitlines()
    assert [line.split(" ", 2)[1] for line in lines] == [
        "memory_write",
        "memory_write",
        "-",
        "memory_read",
    ]
    results = [json.loads(line.split(" ", 2)[2]) for line in lines]
    assert results[0]["id"] == 1 and results[1]["reason"] == "invalid_tool_json"
    assert results[2]["reason"] == "unknown_tool" and results[3]["text"].startswith("Orvona")
    assert memory.usage()["tool_errors"] == 2 and memory.writes_used == 1


def test_a_truncated_reply_is_counted_and_not_run(track):
    cut = calls(call("memory_write", '{"text": "Orvona Gr'))
    cut["finish"] = "length"
    with canned([cut]) as server:
        memory = writer(track, server)
        memory.observe(EVENT)
        assert len(server.requests) == 1
    assert memory.usage()["tool_errors"] == 1 and snapshot(memory) == ([], 0, 0)


def test_options_and_config(track):
    memory = make_memory("agentic-llm:model=m,script=perfect,tools=text,max_turns=2", track)
    assert memory.config() == "agentic-llm:model=m,tools=text,script=perfect"
    memory.reset("b", {"write_budget": 1, "max_write_tokens": 5, "entities": 4, "questions": 2})
    assert memory.store.budget.max_writes is None  # the perfect policy waives the budget
    for spec in ("agentic-llm:script=clairvoyant", "agentic-llm:tools=json", "agentic-llm:x=1"):
        with pytest.raises(ValueError):
            make_memory(spec, track)
