"""The ``curl`` example of docs/llm.md works as written, a plain request is told what to send,
and ``--fail-questions`` fails the same questions on every request."""

from __future__ import annotations

import itertools
import json
import re
import shlex
import urllib.error
import urllib.request
from pathlib import Path

from memgym.serve import Faults, running

DOC = Path(__file__).resolve().parents[2] / "docs" / "llm.md"


def curl_example() -> tuple[dict[str, str], bytes]:
    """The headers and body of the documented ``curl`` command."""
    block = re.search(
        r"```bash\n(memgym serve --port 8123 &\ncurl .*?)```", DOC.read_text(), re.DOTALL
    )
    assert block, "docs/llm.md lost its curl example"
    words = shlex.split(block.group(1).split("\n", 1)[1].replace("\\\n", " "))
    headers, body = {}, b""
    for flag, value in itertools.pairwise(words):
        if flag == "-H":
            name, _, text = value.partition(":")
            headers[name.strip()] = text.strip()
        elif flag == "-d":
            body = value.encode()
    return headers, body


def post(base_url: str, headers: dict[str, str], body: bytes) -> tuple[int, dict]:
    request = urllib.request.Request(base_url + "/chat/completions", data=body, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as reply:
            return reply.status, json.load(reply)
    except urllib.error.HTTPError as exc:
        return exc.code, json.load(exc)


def test_the_documented_curl_request_gets_the_scripted_answer():
    headers, body = curl_example()
    assert "X-Memgym-Spec" in headers
    with running() as server:
        status, reply = post(server.base_url, headers, body)
    assert status == 200, reply
    assert reply["choices"][0]["message"]["content"] == "Answer: Braeholm"


def test_a_request_without_a_spec_is_told_what_to_send():
    headers, body = curl_example()
    del headers["X-Memgym-Spec"]
    with running() as server:
        status, reply = post(server.base_url, headers, body)
    assert status == 400
    error = reply["error"]
    assert error["code"] == "missing_spec"
    assert "X-Memgym-Spec" in error["message"] and "KeyError" not in error["message"]
    assert "docs/llm.md" in error["message"]


def test_fail_questions_fails_the_same_questions_every_time():
    headers, body = curl_example()
    spec = headers["X-Memgym-Spec"]
    faults = Faults(fail_questions=0.5, seed=0)
    specs = [json.dumps({"op": "value", "entity": f"E{i}", "attribute": "a"}) for i in range(200)]
    failing = [s for s in specs if faults.always_fails(s)]
    assert 60 < len(failing) < 140  # about half, decided by the spec and the seed alone
    assert failing == [s for s in specs if Faults(fail_questions=0.5, seed=0).always_fails(s)]
    assert failing != [s for s in specs if Faults(fail_questions=0.5, seed=1).always_fails(s)]
    seed = next(k for k in range(50) if Faults(fail_questions=0.5, seed=k).always_fails(spec))
    with running(faults=Faults(fail_questions=0.5, seed=seed)) as server:
        for _ in range(3):
            status, reply = post(server.base_url, headers, body)
            assert status == 503 and "always fails" in reply["error"]["message"]
        assert server.stats["failed_question"] == 3
