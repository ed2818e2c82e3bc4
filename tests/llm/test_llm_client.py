"""The chat client over real HTTP against ``memgym serve``: retries, Retry-After, backoff,
timeouts, context reduction, concurrency and the call cache."""

import asyncio
import json
import socket
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from memgym.llm.accounting import Usage
from memgym.llm.cache import CallCache
from memgym.llm.classify import LLMContextOverflow, LLMInfraError
from memgym.llm.client import LLMClient, SyncLLMClient, parse_response
from memgym.serve import Faults, running
from tests.llm.canned import canned

MESSAGES = [
    {"role": "system", "content": "Nothing was stated."},
    {"role": "user", "content": "Question: What is the revenue of Orvona Group?"},
]
HEADERS = {
    "X-Memgym-Spec": json.dumps(
        {"op": "value", "entity": "Orvona Group", "attribute": "revenue_musd"}
    )
}


class Sleeps:
    """Records the waits the client asks for, without waiting."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def client(server, **options) -> LLMClient:
    return LLMClient("memgym-scripted", server.base_url, timeout=5, **options)


def chat(llm: LLMClient, **params):
    async def go():
        try:
            return await llm.chat(MESSAGES, headers=HEADERS, **params)
        finally:
            await llm.aclose()

    return asyncio.run(go())


def test_a_call_returns_the_scripted_answer_with_usage():
    with running() as server:
        result = chat(client(server))
    assert result.content == "Answer: unknown" and result.finish_reason == "stop"
    assert result.attempts == 1 and not result.cached and result.usage.prompt_tokens > 0


def test_retry_after_is_honoured_until_retries_run_out():
    sleeps = Sleeps()
    with running(faults=Faults(rate_429=1.0, retry_after=0.25)) as server:
        llm = client(server, max_retries=3, sleep=sleeps)
        with pytest.raises(LLMInfraError) as info:
            chat(llm)
        assert server.stats["http_429"] == 4
    assert info.value.reason == "rate_limited" and info.value.status == 429
    assert sleeps.waits == [0.25, 0.25, 0.25]
    assert llm.ledger.totals()["failed"] == 1 and llm.ledger.totals()["attempts"] == 4


def test_server_errors_back_off_exponentially_with_seeded_jitter():
    runs = []
    for _ in range(2):
        sleeps = Sleeps()
        with (
            running(faults=Faults(rate_5xx=1.0)) as server,
            pytest.raises(LLMInfraError, match="server_error"),
        ):
            chat(client(server, max_retries=4, backoff_base=1.0, seed=7, sleep=sleeps))
        runs.append(sleeps.waits)
    assert runs[0] == runs[1] and len(runs[0]) == 4
    for attempt, wait in enumerate(runs[0], start=1):
        assert 2 ** (attempt - 1) * 0.5 <= wait <= 2 ** (attempt - 1)


def test_mixed_faults_are_retried_to_success_and_counted():
    faults = Faults(rate_5xx=0.2, rate_429=0.1, seed=3)
    with running(faults=faults) as server:
        llm = client(server, backoff_base=0.001)

        async def go():
            results = await asyncio.gather(
                *(llm.chat(MESSAGES, headers=HEADERS) for _ in range(40))
            )
            await llm.aclose()
            return results

        results = asyncio.run(go())
        limited, failed = server.stats["http_429"], server.stats["http_503"]
        injected = limited + failed
    assert all(r.content == "Answer: unknown" for r in results)
    totals = llm.ledger.totals()
    assert limited > 0 and failed > 0 and totals["retries"] == injected
    assert totals["retries_rate_limited"] == limited and totals["retries_server_error"] == failed
    assert sum(r.attempts for r in results) == 40 + injected


def test_a_slow_server_times_out_as_infra():
    with running(faults=Faults(latency=0.5)) as server, pytest.raises(LLMInfraError) as info:
        chat(LLMClient("m", server.base_url, timeout=0.1, max_retries=1, sleep=Sleeps()))
    assert info.value.reason == "timeout"


def test_a_closed_port_is_a_connection_failure():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    llm = LLMClient("m", f"http://127.0.0.1:{port}/v1", max_retries=2, sleep=Sleeps())
    with pytest.raises(LLMInfraError) as info:
        chat(llm)
    assert info.value.reason == "connection" and llm.ledger.calls[-1].attempts == 3


def test_context_overflow_is_retried_once_with_fewer_tokens():
    with running(faults=Faults(context=300)) as server:
        llm = client(server)
        result = chat(llm, max_tokens=400)
        assert result.attempts == 2 and server.stats["http_400"] == 1
        assert llm.ledger.calls[-1].retried == ("context_length",)
        with pytest.raises(LLMContextOverflow, match="context_length"):
            chat(client(server), max_tokens=2000)
        assert server.stats["http_400"] == 3


def test_concurrency_is_limited_per_client():
    with running(faults=Faults(latency=0.05)) as server:
        llm = client(server, concurrency=2)

        async def go():
            start = time.perf_counter()
            await asyncio.gather(*(llm.chat(MESSAGES, headers=HEADERS) for _ in range(6)))
            await llm.aclose()
            return time.perf_counter() - start

        assert asyncio.run(go()) >= 3 * 0.05


@pytest.mark.parametrize("limit", [3, 12])
def test_the_concurrency_limit_holds_per_endpoint_across_clients(limit):
    """Three clients, each on its own event loop as episodes' clients are, share one limit."""
    with canned([], delay=0.1) as server:
        clients = [
            SyncLLMClient("m", server.base_url, concurrency=limit, max_retries=0) for _ in range(3)
        ]
        with ThreadPoolExecutor(12) as pool:
            replies = list(pool.map(lambda i: clients[i % 3].chat(MESSAGES), range(12)))
        for llm in clients:
            llm.close()
    assert [r.content for r in replies] == ["Done."] * 12
    if limit == 3:  # per client, three loops would allow 9 at once
        assert server.max_in_flight == 3
    else:  # the threads could send more than 3: the limit is what holds them back
        assert server.max_in_flight > 3


def test_a_rerun_is_answered_from_the_cache_without_http(tmp_path):
    path = tmp_path / "calls.sqlite"
    with running() as server:
        first = SyncLLMClient("memgym-scripted", server.base_url, cache=CallCache(path))
        answer = first.chat(MESSAGES, headers=HEADERS, temperature=0)
        first.close()
        assert server.stats["requests"] == 1
    with running() as server:
        again = SyncLLMClient("memgym-scripted", server.base_url, cache=CallCache(path))
        replay = again.chat(MESSAGES, headers=HEADERS, temperature=0)
        other = again.chat(MESSAGES, headers=HEADERS, temperature=0.5)
        again.close()
        assert server.stats["requests"] == 1  # only the call with new params went out
    assert replay.cached and replay.attempts == 0 and replay.content == answer.content
    assert not other.cached
    totals, first_totals = again.ledger.totals(), first.ledger.totals()
    assert totals["cached"] == 1
    # the replayed call's tokens are what the server counted the first time, kept apart
    assert totals["cached_prompt_tokens"] == first_totals["prompt_tokens"] > 0
    assert totals["cached_completion_tokens"] == first_totals["completion_tokens"] > 0
    assert totals["prompt_tokens"] == other.usage.prompt_tokens  # only the live call


def test_the_sync_client_takes_the_same_steps_in_the_calling_thread():
    """Retries, Retry-After, timeouts and connection failures through ``SyncLLMClient``, which
    sends with the SDK's blocking client and no loop thread."""
    import threading

    sleeps = Sleeps()
    with running(faults=Faults(rate_429=1.0, retry_after=0.25)) as server:
        before = threading.active_count()
        llm = SyncLLMClient("m", server.base_url, timeout=5, max_retries=2, sleep=sleeps)
        assert threading.active_count() == before  # no loop thread
        with pytest.raises(LLMInfraError) as info:
            llm.chat(MESSAGES, headers=HEADERS)
        llm.close()
        assert server.stats["http_429"] == 3
    assert info.value.reason == "rate_limited" and sleeps.waits == [0.25, 0.25]
    assert llm.ledger.totals()["failed"] == 1 and llm.ledger.totals()["attempts"] == 3
    with running(faults=Faults(latency=0.5)) as server, pytest.raises(LLMInfraError) as slow:
        SyncLLMClient("m", server.base_url, timeout=0.1, max_retries=0).chat(MESSAGES)
    assert slow.value.reason == "timeout"
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    closed = SyncLLMClient("m", f"http://127.0.0.1:{port}/v1", max_retries=1, sleep=Sleeps())
    with pytest.raises(LLMInfraError) as refused:
        closed.chat(MESSAGES)
    assert refused.value.reason == "connection" and closed.ledger.calls[-1].attempts == 2
    with running() as server:
        ok = SyncLLMClient("memgym-scripted", server.base_url)
        answer = ok.chat(MESSAGES, headers=HEADERS, temperature=0)
        ok.close()
    assert answer.content == "Answer: unknown" and answer.attempts == 1 and answer.latency_s > 0


def test_a_reply_whose_content_is_not_text_is_a_retried_bad_response():
    """A server answering ``"content": 42`` is the server's failure (retried, then infra), not a
    crash of the reasoner reading the answer."""
    sleeps = Sleeps()
    with canned([{"role": "assistant", "content": 42}], cycle=True) as server:
        llm = LLMClient("m", server.base_url, timeout=5, max_retries=2, sleep=sleeps)
        with pytest.raises(LLMInfraError, match="content is int, not text") as info:
            chat(llm)
        assert len(server.requests) == 3
    assert info.value.reason == "bad_response" and len(sleeps.waits) == 2


@pytest.mark.parametrize(
    "usage",
    [
        {"prompt_tokens": "many"},
        {"prompt_tokens": float("nan")},
        {"completion_tokens": -1},
        {"completion_tokens": True},
        {"prompt_tokens": 1e400},
        [3, 4],
    ],
)
def test_usage_that_is_not_token_counts_is_a_bad_response(usage):
    reply = {"choices": [{"message": {"role": "assistant", "content": "Answer: x"}}]}
    with pytest.raises(LLMInfraError, match="usage") as info:
        parse_response({**reply, "usage": usage})
    assert info.value.reason == "bad_response" and info.value.retryable
    good = parse_response({**reply, "usage": {"prompt_tokens": 7}})
    assert good[0] == "Answer: x" and good[3] == Usage(7, 0)
