"""The LLM reasoner's pieces that need no server: rendering, answer extraction, tool checks."""

import json

import pytest

from memgym.errors import ModelError
from memgym.llm.tools import Call
from memgym.memory.store import Store
from memgym.memory.tools import ANSWER_TOOLS, SEARCH, execute, parse_hits
from memgym.reasoners import make_reasoner
from memgym.reasoners.llm import extract_answer, render
from memgym.types import Message, Question, View
from tests.llm.canned import call, calls, canned, text

QUESTION = Question(id="q", text="What is X?", spec={})


def test_render_keeps_the_view_and_asks_last():
    view = View(
        messages=[Message(role="system", content="brief"), Message(role="tool", content="t")]
    )
    messages = render(QUESTION, view, tools=True)
    assert [m["role"] for m in messages] == ["system", "user", "user"]
    assert messages[1]["content"] == "t" and "What is X?" in messages[-1]["content"]
    assert "memory_search" in messages[-1]["content"]
    assert "submit_answer" in messages[-1]["content"]
    plain = render(QUESTION, view, tools=False)[-1]["content"]
    assert "memory_search" not in plain and "Answer: <answer>" in plain


@pytest.mark.parametrize(
    "content,expected",
    [
        ("42", "42"),
        ("Let me think.\nAnswer: 42", "42"),
        ("answer: a\nANSWER:  Neskar Labs (3) ", "Neskar Labs (3)"),
    ],
)
def test_extract_answer(content, expected):
    assert extract_answer(content, "stop") == expected


@pytest.mark.parametrize(
    "content,finish,reason",
    [
        ("Answer: 4", "length", "truncated"),
        ("  ", "stop", "empty_answer"),
        (None, "stop", "empty_answer"),
        ("I think\nit is 42", "stop", "unparsable_answer"),
    ],
)
def test_bad_answers_are_model_errors(content, finish, reason):
    with pytest.raises(ModelError) as info:
        extract_answer(content, finish)
    assert info.value.reason == reason


@pytest.mark.parametrize(
    "name,arguments,reason",
    [
        ("search_memory", "{}", "unknown_tool"),
        ("memory_write", '{"text": "x"}', "unknown_tool"),  # not an answer tool
        (SEARCH.name, '{"query": "x"', "invalid_tool_json"),
        (SEARCH.name, "[1]", "wrong_arguments"),
        (SEARCH.name, '{"q": "x"}', "wrong_arguments"),
        (SEARCH.name, '{"query": "x", "k": 0}', "wrong_arguments"),
        (SEARCH.name, '{"query": "x", "k": true}', "wrong_arguments"),
    ],
)
def test_bad_tool_calls_are_model_errors(name, arguments, reason):
    with pytest.raises(ModelError) as info:
        ANSWER_TOOLS.parse(name, arguments)
    assert info.value.reason == reason


def test_search_results_round_trip():
    store = Store()
    store.write("Orvona Group: revenue 120.")
    call = ANSWER_TOOLS.parse(SEARCH.name, '{"query": "Orvona"}')
    assert call == Call(SEARCH, {"query": "Orvona", "k": 5})
    content, ok = execute(store, call)
    hits = parse_hits(content)
    assert ok
    assert [(h.id, h.text) for h in hits] == [(1, "Orvona Group: revenue 120.")]
    assert parse_hits(json.dumps({"error": "no"})) is None


def test_registered_with_options(track):
    reasoner = make_reasoner("llm:model=m,base_url=http://127.0.0.1:1/v1,max_turns=3", track)
    assert reasoner.config() == "llm:model=m,base_url=http://127.0.0.1:1/v1"
    assert reasoner.max_turns == 3
    text = make_reasoner("llm:model=m,tools=text", track)
    assert text.config() == "llm:model=m,tools=text"
    assert text.usage()["calls"] == 0 and text.usage()["tool_errors"] == 0


@pytest.mark.parametrize("spec", ["llm:tools=xml", "llm:max_turns=0", "llm:colour=red"])
def test_bad_options_are_refused(track, spec):
    with pytest.raises(ValueError):
        make_reasoner(spec, track)


def ask(track, replies, store, spec=""):
    """The answer (or model error) and usage of one question over a canned server."""
    with canned(replies) as server:
        reasoner = make_reasoner(
            f"llm:model=m,base_url={server.base_url},max_retries=0{spec}", track
        )
        try:
            try:
                answer = reasoner.answer(QUESTION, View(messages=[], store=store))
            except ModelError as exc:
                answer = exc
            return answer, reasoner.usage(), server.requests
        finally:
            reasoner.close()


def test_search_read_then_submit_answer(track):
    store = Store()
    store.write("Orvona Group | revenue_musd=120")
    replies = [
        calls(call("memory_search", '{"query": "Orvona", "k": 2}', "s")),
        calls(call("memory_read", '{"id": 7}', "r1"), call("memory_read", '{"id": 1}', "r2")),
        calls(call("submit_answer", '{"answer": "  "}', "a1")),
        calls(call("submit_answer", '{"answer": "120"}', "a2")),
    ]
    answer, usage, requests = ask(track, replies, store)
    assert answer == "120" and len(requests) == 4
    assert [t["function"]["name"] for t in requests[0]["tools"]] == [
        "memory_search",
        "memory_read",
        "submit_answer",
    ]
    results = [json.loads(m["content"]) for m in requests[3]["messages"] if m["role"] == "tool"]
    assert results[0]["hits"] == [{"id": 1, "text": "Orvona Group | revenue_musd=120"}]
    assert "error" in results[1] and results[2]["text"].startswith("Orvona")
    assert results[3]["reason"] == "empty_answer"
    assert usage["tool_errors"] == 2 and usage["calls"] == 4  # the unknown id, the empty answer


def test_text_mode_submits_through_a_call_line(track):
    replies = [
        text('CALL memory_search {"query": "Orvona"}'),
        text('CALL submit_answer {"answer": "7"}'),
    ]
    answer, usage, requests = ask(track, replies, Store(), ",tools=text")
    assert answer == "7" and "tools" not in requests[0]
    assert "CALL <tool>" in requests[0]["messages"][-1]["content"]
    assert requests[1]["messages"][-1]["content"] == 'RESULT memory_search {"hits": []}'
    assert usage["tool_errors"] == 0


def test_an_answer_line_is_the_fallback_and_turns_are_limited(track):
    answer, _, _ = ask(track, [text("Thinking.\nAnswer: 42")], Store())
    assert answer == "42"
    loop = [calls(call("memory_search", '{"query": "x"}'))] * 3
    error, usage, requests = ask(track, loop, Store(), ",max_turns=3")
    assert isinstance(error, ModelError) and error.reason == "no_answer" and len(requests) == 3
    assert usage["tool_errors"] == 0 and usage["calls"] == 3
    cut = calls(call("submit_answer", '{"answer": "4'))
    cut["finish"] = "length"
    error, _, _ = ask(track, [cut], Store())
    assert isinstance(error, ModelError) and error.reason == "truncated"


def test_a_price_table_gives_each_call_its_cost(track):
    """The canned server reports 10 prompt and 2 completion tokens per call."""
    replies = [calls(call("memory_search", '{"query": "x"}')), text("Answer: 42")]
    spec = ",price_prompt=0.5,price_completion=2"
    answer, usage, requests = ask(track, replies, Store(), spec)
    assert answer == "42" and len(requests) == 2
    assert usage["prompt_tokens"] == 20 and usage["completion_tokens"] == 4
    assert usage["cost_usd"] == pytest.approx((20 * 0.5 + 4 * 2) / 1e6)
    _, unpriced, _ = ask(track, [text("Answer: 42")], Store())
    assert unpriced["cost_usd"] == 0.0 and unpriced["calls"] == 1
