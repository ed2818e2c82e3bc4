"""Tools declared once: the schema a model sees and the validation of its calls agree, and the text
protocol carries the same calls."""

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from memgym.errors import ModelError
from memgym.llm.textcalls import parse_calls, parse_results, render_calls, render_results
from memgym.llm.tools import Param, Tool
from memgym.memory.tools import ANSWER_TOOLS, MAX_K, WRITE_TOOLS

jsonschema = pytest.importorskip("jsonschema")

TOOLS = {**WRITE_TOOLS.tools, **ANSWER_TOOLS.tools}


def test_every_tool_has_the_openai_shape_and_a_valid_json_schema():
    assert sorted(TOOLS) == [
        "memory_delete",
        "memory_edit",
        "memory_read",
        "memory_search",
        "memory_write",
        "submit_answer",
    ]
    for name, tool in TOOLS.items():
        schema = tool.schema()
        assert schema["type"] == "function" and schema["function"]["name"] == name
        assert schema["function"]["description"]
        parameters = schema["function"]["parameters"]
        jsonschema.Draft202012Validator.check_schema(parameters)
        assert parameters["additionalProperties"] is False
        assert set(parameters["required"]) <= set(parameters["properties"])
    search = TOOLS["memory_search"].schema()["function"]["parameters"]
    assert search["required"] == ["query"] and search["properties"]["k"]["maximum"] == MAX_K


VALUES = st.one_of(
    st.integers(min_value=-3, max_value=60),
    st.integers(),
    st.text(max_size=5),
    st.booleans(),
    st.none(),
    st.lists(st.integers(), max_size=2),
)
KEYS = st.sampled_from(["text", "id", "query", "k", "answer", "tags", "ID"])


@settings(max_examples=300, deadline=None)
@given(name=st.sampled_from(sorted(TOOLS)), args=st.dictionaries(KEYS, VALUES, max_size=4))
def test_validation_agrees_with_the_schema(name, args):
    tool = TOOLS[name]
    schema = tool.schema()["function"]["parameters"]
    valid = jsonschema.Draft202012Validator(schema).is_valid(args)
    try:
        checked = tool.arguments(json.dumps(args))
    except ModelError as exc:
        assert not valid, exc
        assert exc.reason == "wrong_arguments" and name in str(exc)
    else:
        assert valid
        defaults = {p.name: p.default for p in tool.params if not p.required}
        assert checked == {**defaults, **args}


def test_non_objects_and_broken_json_are_refused_with_reasons():
    write = TOOLS["memory_write"]
    for raw, reason in (('{"text": ', "invalid_tool_json"), ("[]", "wrong_arguments")):
        with pytest.raises(ModelError) as info:
            write.arguments(raw)
        assert info.value.reason == reason
    with pytest.raises(ModelError, match="no tool named 'memory_write'") as info:
        ANSWER_TOOLS.parse("memory_write", "{}")
    assert info.value.reason == "unknown_tool"


def test_wrong_argument_messages_say_what_to_send():
    cases = [
        ('{"id": "1"}', "argument 'id' of memory_read must be an integer, got \"1\""),
        ('{"id": 0}', "argument 'id' of memory_read must be in 1.., got 0"),
        ("{}", "memory_read needs argument 'id' (integer)"),
    ]
    for raw, message in cases:
        with pytest.raises(ModelError) as info:
            ANSWER_TOOLS.parse("memory_read", raw)
        assert str(info.value) == f"wrong_arguments: {message}"
    with pytest.raises(ModelError, match="'query' of memory_search must be a string, got 5"):
        ANSWER_TOOLS.parse("memory_search", '{"query": 5}')


def test_a_param_is_a_string_or_an_integer():
    with pytest.raises(ValueError, match="kind"):
        Param("x", float, "a float")
    tool = Tool("t", "d", (Param("n", int, "n", default=2, minimum=1, maximum=3),))
    assert tool.signature() == "t(n?: integer 1..3)"
    assert tool.arguments("") == {"n": 2}


@given(
    calls=st.lists(
        st.tuples(
            st.sampled_from(sorted(TOOLS)),
            st.dictionaries(st.sampled_from(["text", "id"]), st.text() | st.integers(), max_size=2),
        ),
        max_size=4,
    )
)
def test_text_calls_and_results_round_trip(calls):
    parsed = parse_calls("Some thoughts first.\n" + render_calls(calls) + "\nThat is all.")
    assert [(c.name, json.loads(c.arguments)) for c in parsed] == calls
    results = [(name, json.dumps(args)) for name, args in calls]
    assert parse_results(render_results(results)) == [content for _, content in results]
