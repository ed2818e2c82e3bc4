"""A worker whose components may call an LLM endpoint does, before it forks any episode, what
every episode child's first LLM call would do once per process (``memgym.run.preload``): one
real chat call through ``SyncLLMClient`` and the SDK to a one-shot loopback server (the SDK's
platform headers, worked out with a ``uname -p`` subprocess, the IDNA codec's import, httpx's
transport), then a spare HTTP client that the first client of each child takes instead of
building one."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

pytest.importorskip("openai")

CHECK = """
import sys
from memgym.run.worker import preload
import openai._base_client as sdk
from memgym.llm import client
assert sdk.platform_headers.cache_info().currsize == 0 and "encodings.idna" not in sys.modules
assert not client._SPARE
preload()
print(sdk.platform_headers.cache_info().currsize, "encodings.idna" in sys.modules, len(client._SPARE))
"""


def test_preload_fills_the_platform_headers_imports_idna_and_leaves_one_spare() -> None:
    out = subprocess.run([sys.executable, "-c", CHECK], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["1", "True", "1"]


def test_the_practice_call_is_a_real_round_trip_and_sends_no_key(monkeypatch) -> None:
    from memgym.llm.client import PLACEHOLDER_KEY
    from memgym.run import preload

    monkeypatch.setenv("OPENAI_API_KEY", "sk-must-not-leave")
    seen: list[bytes] = []
    assert preload.practice_call(seen) == "ok"
    (request,) = seen
    assert request.startswith(b"POST /v1/chat/completions ")
    assert b"sk-must-not-leave" not in request and PLACEHOLDER_KEY.encode() in request


def test_a_spare_goes_to_one_client_only(monkeypatch) -> None:
    from memgym.llm import client

    monkeypatch.setattr(client, "_SPARE", [])
    client.build_spare()
    spare = client._SPARE[0]
    first = client.SyncLLMClient("m", "http://127.0.0.1:9/v1")
    second = client.SyncLLMClient("m", "http://127.0.0.1:9/v1")
    try:
        assert first._openai._client is spare and not client._SPARE
        assert second._openai._client is not spare
        assert first.client._async is None  # the sync path builds no async SDK client
    finally:
        first.close()
        second.close()
    assert spare.is_closed


def test_forked_children_each_take_their_own_copy_of_the_spare(monkeypatch) -> None:
    from memgym.llm import client

    monkeypatch.setattr(client, "_SPARE", [])
    client.build_spare()
    spare_id = id(client._SPARE[0])
    reads, writes = os.pipe()
    pids = []
    for _ in range(2):
        pid = os.fork()
        if pid == 0:  # a child: takes the spare it inherited, whatever its sibling did
            try:
                taken = client.SyncLLMClient("m", "http://127.0.0.1:9/v1")
                ok = id(taken._openai._client) == spare_id and not client._SPARE
                os.write(writes, b"1" if ok else b"0")
            finally:
                os._exit(0)
        pids.append(pid)
    for pid in pids:
        os.waitpid(pid, 0)
    os.close(writes)
    assert os.read(reads, 8) == b"11"
    assert len(client._SPARE) == 1  # the parent's is still there, unused


def test_a_practice_call_that_fails_ends_at_once_and_preload_still_leaves_a_spare(
    monkeypatch,
) -> None:
    import time

    from memgym.llm import client
    from memgym.run import preload

    def refuse(self, *args, **kwargs):
        raise ConnectionError("no loopback here")

    monkeypatch.setattr(client.SyncLLMClient, "chat", refuse)
    monkeypatch.setattr(client, "_SPARE", [])
    start = time.perf_counter()
    with pytest.raises(ConnectionError):
        preload.practice_call()
    preload.preload()  # swallows it: the children only lose the head start
    assert time.perf_counter() - start < 3  # the server thread is not waited for 5 s
    assert len(client._SPARE) == 1
