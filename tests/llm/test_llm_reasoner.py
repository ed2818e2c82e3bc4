"""The LLM reasoner's pieces that need no server: rendering, answer extraction, tool checks."""

import json

import pytest

from memgym.errors import ModelError
from memgym.memory.store import Store
from memgym.reasoners import make_reasoner
from memgym.reasoners.llm import extract_answer, render
from memgym.reasoners.memory_tools import SEARCH, parse_hits, run_search, search_arguments
from memgym.types import Message, Question, View

QUESTION = Question(
    id="q",
    kind="retrieval",
    axis="breadth",
    text="What is X?",
    spec={},
    answer="1",
    answer_type="int",
)


def test_render_keeps_the_view_and_asks_last():
    view = View(
        messages=[Message(role="system", content="brief"), Message(role="tool", content="t")]
    )
    messages = render(QUESTION, view, tools=True)
    assert [m["role"] for m in messages] == ["system", "user", "user"]
    assert messages[1]["content"] == "t" and "What is X?" in messages[-1]["content"]
    assert "search_memory" in messages[-1]["content"]
    assert "search_memory" not in render(QUESTION, view, tools=False)[-1]["content"]


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
        ("read_memory", "{}", "unknown_tool"),
        (SEARCH, '{"query": "x"', "invalid_tool_json"),
        (SEARCH, "[1]", "wrong_arguments"),
        (SEARCH, '{"q": "x"}', "wrong_arguments"),
        (SEARCH, '{"query": "x", "k": 0}', "wrong_arguments"),
        (SEARCH, '{"query": "x", "k": true}', "wrong_arguments"),
    ],
)
def test_bad_tool_calls_are_model_errors(name, arguments, reason):
    with pytest.raises(ModelError) as info:
        search_arguments(name, arguments)
    assert info.value.reason == reason


def test_search_results_round_trip():
    store = Store()
    store.write("Orvona Group: revenue 120.")
    query, k = search_arguments(SEARCH, '{"query": "Orvona"}')
    hits = parse_hits(run_search(store, query, k))
    assert [(h.id, h.text) for h in hits] == [(1, "Orvona Group: revenue 120.")]
    assert parse_hits(json.dumps({"error": "no"})) is None


def test_registered_with_options(track):
    reasoner = make_reasoner("llm:model=m,base_url=http://127.0.0.1:1/v1,max_turns=3", track)
    assert reasoner.config() == "llm:model=m,base_url=http://127.0.0.1:1/v1"
    assert reasoner.max_turns == 3
