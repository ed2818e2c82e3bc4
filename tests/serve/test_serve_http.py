"""``memgym serve`` over HTTP: routes, errors, the scripted tool-call protocol, the command."""

import argparse
import http.client
import json
import socket
from urllib.parse import urlsplit

import openai
import pytest

from memgym.claims import render_record
from memgym.commands import serve as serve_command
from memgym.memory.store import Store
from memgym.memory.tools import ANSWER_TOOLS, SEARCH, SUBMIT, execute
from memgym.serve import Faults, running
from memgym.serve.app import MODEL


def sdk(server) -> openai.OpenAI:
    return openai.OpenAI(base_url=server.base_url, api_key="x", max_retries=0, timeout=5)


def test_models_lists_the_scripted_model():
    with running() as server:
        assert [m.id for m in sdk(server).models.list()] == [MODEL]


def test_a_request_without_a_spec_is_refused_with_a_hint():
    with running() as server, pytest.raises(openai.BadRequestError, match="X-Memgym-Spec"):
        sdk(server).chat.completions.create(
            model=MODEL, messages=[{"role": "user", "content": "hi"}]
        )


def test_search_calls_then_a_submitted_answer_from_the_tool_results():
    """Drive the protocol by hand with the plain SDK, as any client could."""
    store = Store()
    store.write(render_record("Orvona Group", [("revenue_musd", "120", None)]))
    spec = {"op": "value", "entity": "Orvona Group", "attribute": "revenue_musd"}
    messages = [{"role": "user", "content": "What is the revenue of Orvona Group?"}]
    with running() as server:
        client = sdk(server)
        for _ in range(6):
            reply = client.chat.completions.create(
                model=MODEL,
                messages=messages,
                tools=ANSWER_TOOLS.schemas(),
                extra_headers={"X-Memgym-Spec": json.dumps(spec)},
            )
            message = reply.choices[0].message
            call = message.tool_calls[0]
            assert reply.choices[0].finish_reason == "tool_calls"
            if call.function.name == SUBMIT.name:
                break
            assert call.function.name == SEARCH.name
            content, _ = execute(
                store, ANSWER_TOOLS.parse(call.function.name, call.function.arguments)
            )
            messages.append(message.model_dump(exclude_none=True))
            messages.append({"role": "tool", "tool_call_id": call.id, "content": content})
        assert reply.usage.prompt_tokens > 0
    assert json.loads(call.function.arguments) == {"answer": "120"}


SPEC = {"op": "value", "entity": "Orvona Group", "attribute": "revenue_musd"}
DEEP = b'{"messages": [], "x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"  # past json's depth


@pytest.mark.parametrize(
    "body",
    [
        [1, 2],
        "hello",
        {"model": MODEL, "messages": "hello"},
        {"model": MODEL, "messages": ["hello"]},
        {
            "model": MODEL,
            "messages": [
                {"role": "user", "content": "What is the revenue of Orvona Group?"},
                {"role": "assistant", "content": None, "tool_calls": [1]},
            ],
            "tools": ANSWER_TOOLS.schemas(),
        },
        DEEP,
    ],
    ids=["list", "string", "messages-string", "message-string", "tool-call-number", "deep"],
)
def test_a_body_of_the_wrong_shape_gets_400_not_a_dropped_connection(body, capsys):
    with running() as server:
        url = urlsplit(server.base_url)
        connection = http.client.HTTPConnection(url.hostname, url.port, timeout=5)
        connection.request(
            "POST",
            "/v1/chat/completions",
            body if isinstance(body, bytes) else json.dumps(body),
            {"Content-Type": "application/json", "X-Memgym-Spec": json.dumps(SPEC)},
        )
        reply = connection.getresponse()
        error = json.loads(reply.read())["error"]
        connection.close()
    assert reply.status == 400
    assert error["message"].startswith("cannot script a reply:")
    assert "Traceback" not in capsys.readouterr().err


@pytest.mark.parametrize("length", ["abc", "-5", "1.5"])
def test_a_bad_content_length_gets_400_and_the_connection_closed(length, capsys):
    with running() as server:
        url = urlsplit(server.base_url)
        with socket.create_connection((url.hostname, url.port), timeout=5) as sock:
            sock.sendall(
                f"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n"
                f"Content-Length: {length}\r\n\r\n{{}}".encode()
            )
            reply = b""
            while chunk := sock.recv(65536):  # the server closes: no hang on the body
                reply += chunk
    head, _, body = reply.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400")
    assert json.loads(body)["error"]["message"] == f"bad Content-Length {length!r}"
    assert "Traceback" not in capsys.readouterr().err


def test_faults_are_validated():
    with pytest.raises(ValueError):
        Faults(rate_429=0.7, rate_5xx=0.7)
    with pytest.raises(ValueError):
        Faults(malformed=1.5)


def test_the_serve_command_binds_loopback_and_stops_by_itself():
    parser = argparse.ArgumentParser()
    serve_command.register(parser.add_subparsers())
    args = parser.parse_args(["serve", "--port", "0", "--max-seconds", "0.1", "--rate-5xx", "0.5"])
    assert args.host == "127.0.0.1"
    assert args.func(args) == 0
    bad = parser.parse_args(["serve", "--port", "0", "--max-episodes", "0"])
    with pytest.raises(ValueError, match="--max-episodes must be at least 1"):
        bad.func(bad)


def test_a_body_over_the_limit_gets_413_and_its_tail_is_never_a_request(monkeypatch):
    """The server read only the first MAX_BODY bytes and kept the connection: the rest of the
    body was parsed as the next request (here: a GET smuggled in the tail got a 200)."""
    from memgym.serve import app

    monkeypatch.setattr(app, "MAX_BODY", 100)
    tail = b"GET /v1/models HTTP/1.1\r\nHost: x\r\n\r\n"
    body = b"x" * 100 + tail
    with running() as server:
        url = urlsplit(server.base_url)
        with socket.create_connection((url.hostname, url.port), timeout=5) as sock:
            sock.sendall(
                b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n"
                + f"Content-Length: {len(body)}\r\n\r\n".encode()
                + body
            )
            reply = b""
            while chunk := sock.recv(65536):
                reply += chunk
    assert reply.startswith(b"HTTP/1.1 413") and reply.count(b"HTTP/1.1 ") == 1
