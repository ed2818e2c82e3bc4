"""The chat client every LLM call goes through: the openai SDK's async client, plus memgym's
retry policy, concurrency limit, call cache and ledger.

Retries: a retryable infrastructure failure (see ``memgym.llm.classify``) is retried up to
``max_retries`` times, waiting the server's Retry-After (capped) or else an exponential backoff
with jitter drawn from a seeded RNG. A failure that persists is raised as ``LLMInfraError``; the
episode loop marks that step ``infra_error``. A context overflow is retried once with
``max_tokens`` halved (when the request set it), then raised as ``LLMContextOverflow``: the
prompt's fault, scored as a wrong answer (``context_overflow``). The SDK's own retries are
switched off.

Latency: each call's ``latency_s`` is the time its HTTP requests took, from the moment one held an
endpoint slot to its reply: no waiting for a slot (other episodes' calls), no backoff sleeps.

Concurrency: at most ``concurrency`` requests in flight to an endpoint, counted over every client
of the process with that endpoint and limit (``EndpointLimit``), so a run's concurrent episodes
share one limit.
"""

from __future__ import annotations

import asyncio
import os
import random
import threading
import time
from collections.abc import Awaitable, Callable, Generator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from memgym.chat import assistant_message
from memgym.llm.accounting import CallRecord, Ledger, Prices, Usage, cost
from memgym.llm.cache import CallCache, cache_key
from memgym.llm.classify import LLMContextOverflow, LLMInfraError, classify

if TYPE_CHECKING:
    import ssl

PLACEHOLDER_KEY = "memgym-no-key"
"""Sent when the API key variable is unset: local servers need some key, and check none."""
_POLL_S = 0.005


class EndpointLimit:
    """At most ``limit`` requests in flight to one endpoint from this process, whichever client,
    event loop or thread sends them (``SyncLLMClient`` sends from its callers' threads, so an
    ``asyncio.Semaphore`` could not be shared). An async request waiting for a slot polls;
    cancelling it while it waits holds nothing. A sync one blocks (``with limit:``)."""

    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValueError(f"concurrency must be at least 1, got {limit}")
        self.limit = limit
        self._slots = threading.BoundedSemaphore(limit)

    async def __aenter__(self) -> None:
        while not self._slots.acquire(blocking=False):
            await asyncio.sleep(_POLL_S)

    async def __aexit__(self, *exc: object) -> None:
        self._slots.release()

    def __enter__(self) -> None:
        self._slots.acquire()

    def __exit__(self, *exc: object) -> None:
        self._slots.release()


_LIMITS: dict[tuple[str, int], EndpointLimit] = {}
_LIMITS_LOCK = threading.Lock()


def endpoint_limit(base_url: str | None, limit: int) -> EndpointLimit:
    """The process-wide limit of ``limit`` requests in flight to ``base_url`` (clients asking
    for another limit on the same endpoint get their own)."""
    with _LIMITS_LOCK:
        key = (base_url or "", limit)
        if key not in _LIMITS:
            _LIMITS[key] = EndpointLimit(limit)
        return _LIMITS[key]


class _Timer:
    """Adds up the time spent inside its ``with`` blocks (a call's HTTP requests)."""

    def __init__(self) -> None:
        self.spent = 0.0

    def __enter__(self) -> None:
        self._start = time.perf_counter()

    def __exit__(self, *exc: object) -> None:
        self.spent += time.perf_counter() - self._start


@dataclass(frozen=True)
class Send:
    """A request for the driver of ``LLMClient.steps`` to send, timed by ``timer``."""

    body: dict[str, Any]
    timer: _Timer


Outcome = object
"""What a driver sends back into ``LLMClient.steps``: the reply JSON, an exception, or None."""


@dataclass(frozen=True)
class ToolCall:
    """A tool call as the model wrote it; ``arguments`` is the raw JSON text, not yet trusted."""

    id: str
    name: str
    arguments: str


@dataclass(frozen=True)
class ChatResult:
    """One answered chat call."""

    content: str | None
    tool_calls: tuple[ToolCall, ...]
    finish_reason: str | None
    usage: Usage
    latency_s: float
    attempts: int
    cached: bool
    cost: float | None

    def message(self) -> dict[str, Any]:
        """The assistant message to append to the conversation for the next turn."""
        return assistant_message(self.content or "", self.tool_calls)


def parse_response(
    raw: Mapping[str, Any],
) -> tuple[str | None, tuple[ToolCall, ...], str | None, Usage]:
    """Content, tool calls, finish reason and usage of a chat-completions response JSON."""
    choices = raw.get("choices") or []
    if not choices:
        raise LLMInfraError("bad_response", "no choices in the reply", retryable=True)
    choice = choices[0]
    message = choice.get("message") or {}
    calls = tuple(
        ToolCall(c.get("id") or "", c["function"]["name"], c["function"].get("arguments") or "")
        for c in message.get("tool_calls") or []
    )
    content = message.get("content")
    if content is not None and not isinstance(content, str):
        detail = f"the reply's content is {type(content).__name__}, not text"
        raise LLMInfraError("bad_response", detail, retryable=True)
    usage = raw.get("usage") or {}
    if not isinstance(usage, Mapping):
        raise LLMInfraError("bad_response", "the reply's usage is not an object", retryable=True)
    tokens = Usage(_tokens(usage, "prompt_tokens"), _tokens(usage, "completion_tokens"))
    return content, calls, choice.get("finish_reason"), tokens


def _tokens(usage: Mapping[str, Any], key: str) -> int:
    """``usage[key]`` (0 when absent); a value that is not a token count is a bad reply."""
    value = usage.get(key) or 0
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise LLMInfraError("bad_response", f"usage {key} is {value!r}", retryable=True)
    return value


@cache
def shared_ssl_context() -> ssl.SSLContext:
    """One verifying TLS context per process for every client's HTTP pool, as the SDK's own
    would be (the CA bundle of ``SSL_CERT_FILE`` / ``SSL_CERT_DIR``, else certifi's, else the
    system's). Building one reads the whole bundle (~25 ms of CPU); every SDK client built its
    own, two per episode, which cost an LLM run ~5 ms a call (measured: bench_boundary)."""
    import ssl

    cafile, capath = os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR")
    if not (cafile or capath):
        try:
            import certifi

            cafile = certifi.where()
        except ImportError:
            cafile = None
    return ssl.create_default_context(cafile=cafile or None, capath=capath or None)


def http_client(asynchronous: bool) -> Any:
    """An HTTP client for the SDK with the shared TLS context (``shared_ssl_context``)."""
    import openai

    kind = openai.DefaultAsyncHttpxClient if asynchronous else openai.DefaultHttpxClient
    return kind(verify=shared_ssl_context())


_SPARE: list[Any] = []
"""Blocking HTTP clients built ahead (``build_spare``), each taken by one ``SyncLLMClient``."""


def build_spare() -> None:
    """Build a blocking HTTP client now for the next ``SyncLLMClient`` of this process to take.
    A worker builds one before it forks its episode children: each child takes its own copy,
    with no connection open, instead of building one (its transport, pool and TLS setup touch
    ~560 pages the child would copy). Only one client ever uses a spare: closing it is safe."""
    _SPARE.append(http_client(False))


def _take_http_client() -> Any:
    """A spare blocking HTTP client (``build_spare``), else a new one."""
    try:
        return _SPARE.pop()
    except IndexError:
        return http_client(False)


class LLMClient:
    """An async chat client for one OpenAI-compatible endpoint and model."""

    def __init__(
        self,
        model: str,
        base_url: str | None = None,
        *,
        api_key_env: str = "OPENAI_API_KEY",
        timeout: float = 60.0,
        max_retries: int = 6,
        backoff_base: float = 0.5,
        backoff_max: float = 30.0,
        concurrency: int = 8,
        seed: int = 0,
        cache: CallCache | None = None,
        prices: Prices | None = None,
        ledger: Ledger | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        import openai  # noqa: F401 - a missing SDK fails here, as the client is made

        self.model = model
        self.base_url = base_url
        self.max_retries = max_retries
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self.cache = cache
        self.prices = prices
        self.ledger = ledger if ledger is not None else Ledger()
        self._sleep = sleep
        self._rng = random.Random(seed)
        self.limit = endpoint_limit(base_url, concurrency)
        self.openai_options: dict[str, Any] = {
            "api_key": os.environ.get(api_key_env) or PLACEHOLDER_KEY,
            "base_url": base_url,
            "timeout": timeout,
            "max_retries": 0,
        }
        self._async: Any = None

    @property
    def _openai(self) -> Any:
        """The SDK's async client, built on first use (``SyncLLMClient`` sends with its own)."""
        if self._async is None:
            import openai

            self._async = openai.AsyncOpenAI(**self.openai_options, http_client=http_client(True))
        return self._async

    def backoff(self, attempt: int) -> float:
        """Seconds before retry ``attempt`` (1-based): exponential, capped, with equal jitter."""
        ceiling = min(self.backoff_max, self.backoff_base * 2 ** (attempt - 1))
        return ceiling * (0.5 + 0.5 * self._rng.random())

    async def chat(
        self,
        messages: Sequence[Mapping[str, Any]],
        tools: Sequence[Mapping[str, Any]] | None = None,
        *,
        headers: Mapping[str, str] | None = None,
        **params: Any,
    ) -> ChatResult:
        """One chat completion: from the cache when answered before, else over HTTP with retries.

        ``params`` are chat-completions parameters (temperature, max_tokens, seed, ...) and are
        part of the cache key; ``headers`` are extra HTTP headers and are not. With ``tools``,
        ``tool_choice`` is ``"auto"`` unless ``params`` says otherwise: servers that apply a
        chat template (llama-cpp-python, vLLM) leave the tools out of the prompt without it.
        """
        steps = self.steps(messages, tools, params)
        outcome: Outcome = None
        try:
            while True:
                step = steps.send(outcome)
                if isinstance(step, float):
                    await self._sleep(step)
                    outcome = None
                    continue
                try:
                    outcome = await self._post(step.body, headers, step.timer)
                except Exception as exc:  # noqa: BLE001 - the steps classify every failure
                    outcome = exc
        except StopIteration as done:
            result: ChatResult = done.value
            return result

    def steps(
        self,
        messages: Sequence[Mapping[str, Any]],
        tools: Sequence[Mapping[str, Any]] | None,
        params: dict[str, Any],
    ) -> Generator[Send | float, Outcome, ChatResult]:
        """The policy of one call, without its I/O: yields each request to send (``Send``; the
        driver sends back the reply JSON or the exception) or seconds to wait (``float``;
        ``None`` back), and returns the result or raises the classified error. The async
        ``chat`` and ``SyncLLMClient.chat`` drive it."""
        if tools:
            params.setdefault("tool_choice", "auto")
        key = cache_key(self.model, messages, tools, params) if self.cache is not None else ""
        if self.cache is not None and (hit := self.cache.get(key)) is not None:
            return self._result(hit, latency=0.0, attempts=0, cached=not self.cache.journal)
        timer = _Timer()
        attempts, reduced, request = 0, False, dict(params)
        retried: list[str] = []
        while True:
            attempts += 1
            outcome = yield Send(self._body(messages, tools, request), timer)
            try:
                if isinstance(outcome, BaseException):
                    raise outcome
                if not isinstance(outcome, dict):
                    raise LLMInfraError(
                        "bad_response", "the reply is not a JSON object", retryable=True
                    )
                raw = outcome
                parse_response(raw)  # a reply without choices is the server's failure
                break
            except Exception as exc:  # noqa: BLE001 - every failure is classified here
                error = classify(exc)
            overflow = isinstance(error, LLMContextOverflow)
            if overflow and not reduced and request.get("max_tokens", 0) > 1:
                reduced, request["max_tokens"] = True, request["max_tokens"] // 2
                retried.append(error.reason)
                continue
            if (
                isinstance(error, LLMInfraError)
                and error.retryable
                and attempts <= self.max_retries
            ):
                wait = (
                    error.retry_after if error.retry_after is not None else self.backoff(attempts)
                )
                yield float(wait)
                retried.append(error.reason)
                continue
            self._record(Usage(), timer.spent, attempts, False, error.reason, tuple(retried))
            raise error
        if self.cache is not None:
            self.cache.put(key, self.model, raw)
        return self._result(raw, timer.spent, attempts, cached=False, retried=tuple(retried))

    def _body(
        self,
        messages: Sequence[Mapping[str, Any]],
        tools: Sequence[Mapping[str, Any]] | None,
        params: Mapping[str, Any],
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"model": self.model, "messages": list(messages), **params}
        if tools:
            body["tools"] = list(tools)
        return body

    async def _post(
        self, body: dict[str, Any], headers: Mapping[str, str] | None, timer: _Timer
    ) -> object:
        # The SDK's low-level post: its typed request transform and response models cost ~2 ms
        # per call on a 10-message request (bench/bench_llm.py); the reply is the raw JSON.
        async with self.limit:
            with timer:
                return await self._openai.post(
                    "/chat/completions",
                    body=body,
                    cast_to=object,
                    options={"headers": dict(headers or {})},
                )

    def _result(
        self,
        raw: Mapping[str, Any],
        latency: float,
        attempts: int,
        cached: bool,
        retried: tuple[str, ...] = (),
    ) -> ChatResult:
        content, calls, finish, usage = parse_response(raw)
        price = self._record(usage, latency, attempts, cached, "ok", retried)
        return ChatResult(content, calls, finish, usage, latency, attempts, cached, price)

    def _record(
        self,
        usage: Usage,
        latency: float,
        attempts: int,
        cached: bool,
        status: str,
        retried: tuple[str, ...] = (),
    ) -> float | None:
        price = None if cached else cost(usage, self.model, self.prices)
        record = CallRecord(self.model, usage, price, latency, attempts, cached, status, retried)
        self.ledger.add(record)
        return price

    async def aclose(self) -> None:
        """Close the HTTP connections."""
        if self._async is not None:
            await self._async.close()


class SyncLLMClient:
    """``LLMClient`` for synchronous callers: the same steps (cache, retries, ledger), sent with
    the SDK's blocking client in the calling thread, so a call costs no hop to another thread
    (measured in bench/bench_llm.py). Threads may share one: each call blocks only its own."""

    def __init__(self, model: str, base_url: str | None = None, **options: Any) -> None:
        import openai

        self.client = LLMClient(model, base_url, **options)
        self._openai = openai.OpenAI(**self.client.openai_options, http_client=_take_http_client())

    @property
    def ledger(self) -> Ledger:
        return self.client.ledger

    def chat(
        self,
        messages: Sequence[Mapping[str, Any]],
        tools: Sequence[Mapping[str, Any]] | None = None,
        *,
        headers: Mapping[str, str] | None = None,
        **params: Any,
    ) -> ChatResult:
        """``LLMClient.chat``, waited for."""
        steps = self.client.steps(messages, tools, params)
        outcome: Outcome = None
        extra = dict(headers or {})
        try:
            while True:
                step = steps.send(outcome)
                if isinstance(step, float):
                    _wait(self.client._sleep, step)
                    outcome = None
                    continue
                try:
                    with self.client.limit, step.timer:
                        outcome = self._openai.post(
                            "/chat/completions",
                            body=step.body,
                            cast_to=object,
                            options={"headers": extra},
                        )
                except Exception as exc:  # noqa: BLE001 - the steps classify every failure
                    outcome = exc
        except StopIteration as done:
            result: ChatResult = done.value
            return result

    def close(self) -> None:
        """Close the connections (idempotent)."""
        self._openai.close()


def _wait(sleep: Callable[[float], Awaitable[None]], seconds: float) -> None:
    """Wait ``seconds`` with the client's (async) sleep function, from synchronous code."""
    if sleep is asyncio.sleep:
        time.sleep(seconds)
        return
    loop = asyncio.new_event_loop()
    try:
        loop.run_until_complete(sleep(seconds))
    finally:
        loop.close()


__all__ = [
    "ChatResult",
    "EndpointLimit",
    "LLMClient",
    "SyncLLMClient",
    "ToolCall",
    "endpoint_limit",
]
