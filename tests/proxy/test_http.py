"""``memgym proxy`` over real loopback HTTP: forwarding, streaming, retries, security, the CLI."""

import http.client
import json
import threading
from pathlib import Path
from urllib.parse import urlsplit

import openai
import pytest

from memgym.cli import main
from memgym.proxy import MemoryProxy, RecordLog, running
from memgym.proxy import read_records as log_records
from memgym.proxy.server import ProxyServer
from tests.proxy.conftest import CHUNKS
from tests.proxy.test_units import SYSTEM, TASK, call_unit

KEY = "sk-upstream-secret-123"


def sdk(server, key: str = "client-key") -> openai.OpenAI:
    return openai.OpenAI(base_url=server.base_url, api_key=key, max_retries=0, timeout=10)


def chat(n: int) -> list[dict]:
    return [SYSTEM, TASK, *({"role": "user", "content": f"note {i}"} for i in range(n))]


def raw_post(server, body: bytes, headers: dict[str, str]) -> tuple[int, dict]:
    url = urlsplit(server.base_url)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    try:
        conn.request("POST", "/v1/chat/completions", body=body, headers=headers)
        response = conn.getresponse()
        return response.status, json.loads(response.read() or b"{}")
    finally:
        conn.close()


def test_the_compacted_history_goes_upstream_and_the_reply_comes_back(upstream):
    with running(MemoryProxy("window:max_tokens=6"), upstream.base_url) as proxy:
        reply = sdk(proxy).chat.completions.with_raw_response.create(
            model="echo", messages=chat(8), temperature=0.5
        )
    completion = reply.parse()
    assert completion.choices[0].message.content == "".join(CHUNKS)
    _, body = upstream.requests[-1]
    # each note is 2 tokens: the window keeps 3 body units, then the live note 7
    assert [m["content"] for m in body["messages"][2:]] == [f"note {i}" for i in (4, 5, 6, 7)]
    assert body["temperature"] == 0.5 and body["model"] == "echo"
    assert reply.headers["x-memgym-proxy"] == "messages_in=10;messages_out=6"


def test_streaming_is_passed_through_as_server_sent_events(upstream):
    with running(MemoryProxy("full"), upstream.base_url) as proxy:
        stream = sdk(proxy).chat.completions.create(model="echo", messages=chat(3), stream=True)
        pieces = [c.choices[0].delta.content for c in stream if c.choices[0].delta.content]
        stats = dict(proxy.stats)
    assert pieces == CHUNKS
    assert stats["streams"] == 1 and upstream.requests[-1][1]["stream"] is True


def test_a_context_length_error_halves_the_body_until_the_request_fits(upstream, tmp_path):
    upstream.context = 6
    log = RecordLog(tmp_path / "r.jsonl")
    with running(MemoryProxy("full", records=log), upstream.base_url) as proxy:
        ok = sdk(proxy).chat.completions.create(model="echo", messages=chat(6))
        upstream.context = 5
        raw = sdk(proxy).chat.completions.with_raw_response.create(model="echo", messages=chat(20))
        fits = raw.parse()
        upstream.context = 2  # system, task and the live message alone are 3: nothing fits
        with pytest.raises(openai.BadRequestError, match="nothing left to compact"):
            sdk(proxy).chat.completions.create(model="echo", messages=chat(21))
    log.close()
    sizes = [len(body["messages"]) for _, body in upstream.requests]
    assert ok.choices[0].message.content == fits.choices[0].message.content == "".join(CHUNKS)
    # 8 messages overflow 6: the body (5 units, the 6th is live) loses its oldest 2 -> 6 sent.
    # The conversation grows to 22 messages: the 2 stay dropped (20 sent: 17 body units), and
    # each overflow drops the oldest half of the body: 17 -> 9 -> 5 -> 3 -> 2 units (5 sent:
    # fits). At context 2 the body halves down to nothing (2 -> 1 -> 0 units) and the proxy
    # answers the context-length error itself.
    assert sizes == [8, 6, 20, 12, 8, 6, 5, 6, 5, 4, 3]
    # the header names what was forwarded after the forcing, and how many times it was forced
    # (it said messages_out=20 and forced=5: the count before forcing, the messages sent)
    header = raw.headers["x-memgym-proxy"]
    assert header.endswith(";messages_out=5;forced=4"), header
    assert [r.strategy for r in log_records(tmp_path / "r.jsonl")] == ["full+forced"] * 8


def test_tool_pairs_travel_whole_through_the_server(upstream):
    messages = [SYSTEM, TASK, *call_unit("a", 2, "w " * 30), {"role": "user", "content": "go"}]
    with running(MemoryProxy("window:max_tokens=1"), upstream.base_url) as proxy:
        sdk(proxy).chat.completions.create(model="echo", messages=messages)
    forwarded = upstream.requests[-1][1]["messages"]
    assert forwarded == [SYSTEM, TASK, {"role": "user", "content": "go"}]  # the pair left whole


def test_with_a_token_clients_must_send_it_and_the_upstream_gets_the_proxy_key(upstream, tmp_path):
    log = RecordLog(tmp_path / "k.jsonl")
    options = {"token": "proxy-token", "upstream_key": KEY}
    with running(
        MemoryProxy("window:max_tokens=3", records=log), upstream.base_url, **options
    ) as p:
        with pytest.raises(openai.AuthenticationError, match="proxy token"):
            sdk(p, "wrong").chat.completions.create(model="echo", messages=chat(4))
        sdk(p, "proxy-token").chat.completions.create(model="echo", messages=chat(4))
        models = sdk(p, "proxy-token").models.list()
    log.close()
    assert [m.id for m in models] == ["echo"]
    assert len(upstream.requests) == 2  # the refused request never reached upstream
    for headers, _ in upstream.requests:
        assert headers["authorization"] == f"Bearer {KEY}"
        assert "proxy-token" not in json.dumps(headers)
    assert KEY not in (tmp_path / "k.jsonl").read_text() and log.written > 0


def test_without_a_token_the_client_key_is_passed_upstream_and_never_recorded(upstream, tmp_path):
    log = RecordLog(tmp_path / "k.jsonl")
    with running(MemoryProxy("window:max_tokens=3", records=log), upstream.base_url) as proxy:
        sdk(proxy, KEY).chat.completions.create(model="echo", messages=chat(4))
    log.close()
    assert upstream.requests[-1][0]["authorization"] == f"Bearer {KEY}"
    assert KEY not in (tmp_path / "k.jsonl").read_text() and log.written > 0


def test_oversized_and_malformed_requests_get_one_line_errors(upstream):
    options = {"max_body": 2000, "max_messages": 5}
    with running(MemoryProxy("full"), upstream.base_url, **options) as proxy:
        big = json.dumps(
            {"model": "m", "messages": chat(1) + [{"role": "user", "content": "x" * 3000}]}
        )
        status, body = raw_post(proxy, big.encode(), {"Content-Type": "application/json"})
        assert status == 413 and "exceeds the proxy's limit of 2000" in body["error"]["message"]
        many = json.dumps({"model": "m", "messages": chat(4)}).encode()
        status, body = raw_post(proxy, many, {})
        assert status == 413 and "6 messages exceed" in body["error"]["message"]
        status, body = raw_post(proxy, b"{not json", {})
        assert status == 400 and body["error"]["message"].startswith("bad chat request")
        status, body = raw_post(proxy, json.dumps({"messages": [1]}).encode(), {})
        assert status == 400 and "messages[0]" in body["error"]["message"]
    assert upstream.requests == []


def test_json_nested_past_the_parsers_depth_is_a_400_not_a_dropped_connection(upstream, capsys):
    deep = b'{"model": "m", "messages": [], "x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    with running(MemoryProxy("full"), upstream.base_url) as proxy:
        status, body = raw_post(proxy, deep, {"Content-Type": "application/json"})
    assert status == 400 and "recursion" in body["error"]["message"]
    assert "Traceback" not in capsys.readouterr().err and upstream.requests == []


def test_an_unreachable_upstream_is_a_502():
    with (
        running(MemoryProxy("full"), "http://127.0.0.1:9/v1") as proxy,
        pytest.raises(openai.InternalServerError, match="unreachable"),
    ):
        sdk(proxy).chat.completions.create(model="m", messages=chat(1))


def test_binding_beyond_loopback_needs_a_token():
    with pytest.raises(ValueError, match="without a token"):
        ProxyServer(MemoryProxy("full"), "http://127.0.0.1:1/v1", host="0.0.0.0")


def test_the_command_runs_and_refuses_bad_options(upstream, tmp_path, monkeypatch, capsys):
    records = str(tmp_path / "cli.jsonl")
    base = ["proxy", "--upstream", upstream.base_url, "--port", "0", "--records", records]
    assert main([*base, "--max-seconds", "0.1", "--memory", "window:max_tokens=50"]) == 0
    assert "memgym proxy on http://127.0.0.1:" in capsys.readouterr().err
    assert main([*base, "--memory", "nope"]) == 2
    assert "unknown memory" in capsys.readouterr().err
    monkeypatch.delenv("MEMGYM_PROXY_TOKEN", raising=False)
    assert main([*base, "--host", "0.0.0.0"]) == 2
    assert "without a token: set $MEMGYM_PROXY_TOKEN" in capsys.readouterr().err
    monkeypatch.delenv("NO_SUCH_TOKEN_VAR", raising=False)
    for host in ("0.0.0.0", "127.0.0.1"):  # a variable named by hand must be set, even on loopback
        assert main([*base, "--host", host, "--token-env", "NO_SUCH_TOKEN_VAR"]) == 2
        assert "--token-env: $NO_SUCH_TOKEN_VAR is not set" in capsys.readouterr().err
    assert main([*base, "--gate-threshold", "0.3"]) == 2
    assert "--gate-threshold needs --gate" in capsys.readouterr().err
    monkeypatch.delenv("NO_SUCH_KEY_VAR", raising=False)
    assert main([*base, "--upstream-key-env", "NO_SUCH_KEY_VAR"]) == 2
    assert main([*base, "--gate", str(tmp_path / "missing-model")]) == 2
    assert "no MemRM model" in capsys.readouterr().err
    assert main(["proxy"]) == 2 and "--upstream URL is required" in capsys.readouterr().err
    missing = ["proxy", "--records", str(tmp_path / "none.jsonl"), "--export-rows", records]
    assert main(missing) == 2 and "no records file" in capsys.readouterr().err
    kept = Path(records).read_bytes()
    same = ["proxy", "--records", records, "--export-rows", records]
    assert main(same) == 2 and "--export-rows" in capsys.readouterr().err
    assert Path(records).read_bytes() == kept


def test_concurrent_conversations_stay_apart(upstream):
    with running(MemoryProxy("window:max_tokens=4"), upstream.base_url) as proxy:

        def talk(name: str) -> None:
            client = sdk(proxy)
            for n in range(3, 9):
                messages = [SYSTEM, {"role": "user", "content": name}, *chat(n)[2:]]
                client.chat.completions.create(
                    model="echo", messages=messages,
                    extra_headers={"X-Memgym-Conversation": name},
                )  # fmt: skip

        threads = [threading.Thread(target=talk, args=(f"c{i}",)) for i in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert proxy.proxy.conversations() == 4
    assert len(upstream.requests) == 24
    assert all(len(body["messages"]) <= 2 + 4 + 1 for _, body in upstream.requests)


def test_other_methods_pass_through_and_non_json_numbers_are_refused(upstream):
    """docs/proxy.md: every other /v1 route passes through as it is (DELETE got 501 from the
    standard handler); a body with NaN, which is not JSON, is refused, not forwarded."""
    with running(MemoryProxy("full"), upstream.base_url) as proxy:
        url = urlsplit(proxy.base_url)
        connection = http.client.HTTPConnection(url.hostname, url.port, timeout=5)
        connection.request("DELETE", "/v1/files/file-1")
        reply = connection.getresponse()
        deleted = json.loads(reply.read())
        body = (
            b'{"model": "echo", "temperature": NaN, "messages": [{"role": "user", "content": "x"}]}'
        )
        connection.request("POST", "/v1/chat/completions", body,
                           {"Content-Type": "application/json"})  # fmt: skip
        refused = connection.getresponse()
        error = json.loads(refused.read())["error"]["message"]
        connection.close()
    assert reply.status == 200 and deleted == {"id": "file-1", "deleted": True}
    assert upstream.requests[-1][1] == {"path": "/v1/files/file-1", "method": "DELETE"}
    assert refused.status == 400 and "NaN is not a JSON value" in error
