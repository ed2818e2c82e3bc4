"""Every failure of a chat call, classified: the infrastructure's (retried, then excluded and
counted) or the model's (scored). Each error carries a short machine-readable ``reason``.

Infrastructure: connection failures, timeouts, HTTP 408/409/429/5xx (retryable), other HTTP
errors such as 401/403/404/400 (not retryable: retrying cannot help, and it is not the model's
fault).
Model: an invalid tool call (unparsable arguments, unknown tool, wrong arguments), an empty or
unparsable answer, a reply cut off at the token limit, and a context overflow (an HTTP 400/413
saying the prompt does not fit the model's window, in the words of OpenAI, vLLM, llama.cpp's or
llama-cpp-python's server; the client retries it once with ``max_tokens`` halved, then it is
``LLMContextOverflow``: the prompt the model and its memory made is too long for it).
"""

from __future__ import annotations

from collections.abc import Mapping

from memgym.errors import ContextOverflow, InfraError, ModelError

RETRYABLE_STATUS = frozenset({408, 409, 429})
MAX_RETRY_AFTER_S = 60.0
"""The longest Retry-After the client will honour; longer waits are capped to this."""


class LLMInfraError(InfraError):
    """An infrastructure failure of a chat call."""

    def __init__(
        self,
        reason: str,
        detail: str = "",
        *,
        retryable: bool = False,
        retry_after: float | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.retryable = retryable
        self.retry_after = retry_after
        self.status = status


class LLMModelError(ModelError):
    """A failure that is the model's: scored as a wrong answer."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


class LLMContextOverflow(LLMModelError, ContextOverflow):
    """The endpoint refused the prompt as longer than the model's context window."""

    def __init__(self, detail: str = "", status: int | None = None) -> None:
        super().__init__("context_length", detail)
        self.status = status


OVERFLOW_WORDS = (
    "context_length_exceeded",  # OpenAI's error code; llama-cpp-python's server sends it too
    "context length",  # OpenAI, vLLM, llama-cpp-python: "maximum context length is N tokens"
    "available context size",  # llama.cpp's server: "the request exceeds the available ..."
    "exceed_context_size",  # llama.cpp's server: error type exceed_context_size_error
    "context window",
    "maximum model length",  # vLLM: "longer than the maximum model length of N"
    "reduce the length of the messages",
    "prompt is too long",
    "too many tokens",
)
"""What an HTTP 400/413 body says when the prompt does not fit (matched case-insensitively)."""


def retry_after(headers: Mapping[str, str] | None) -> float | None:
    """Seconds to wait from ``retry-after-ms`` or ``retry-after`` (seconds), capped; else None."""
    if not headers:
        return None
    for name, scale in (("retry-after-ms", 1e-3), ("retry-after", 1.0)):
        raw = headers.get(name)
        if raw is None:
            continue
        try:
            seconds = float(raw) * scale
        except ValueError:
            continue  # an HTTP date: rare from model endpoints; fall back to backoff
        return min(max(seconds, 0.0), MAX_RETRY_AFTER_S)
    return None


def is_context_overflow(status: int, body: object) -> bool:
    """True when an HTTP 400/413 says the prompt does not fit the model's context."""
    if status not in (400, 413):
        return False
    text = str(body).lower()
    return any(words in text for words in OVERFLOW_WORDS)


def classify_status(
    status: int, body: object = None, headers: Mapping[str, str] | None = None
) -> LLMInfraError | LLMContextOverflow:
    """The error for an HTTP error status: a context overflow, or the infrastructure's."""
    detail = f"HTTP {status}" + (f" {str(body)[:200]}" if body else "")
    if is_context_overflow(status, body):
        return LLMContextOverflow(detail, status=status)
    if status == 429:
        return LLMInfraError(
            "rate_limited", detail, retryable=True, retry_after=retry_after(headers), status=status
        )
    if status in RETRYABLE_STATUS or status >= 500:
        reason = "server_error" if status >= 500 else "http_retryable"
        return LLMInfraError(
            reason, detail, retryable=True, retry_after=retry_after(headers), status=status
        )
    reason = {401: "auth", 403: "forbidden", 404: "not_found"}.get(status, "bad_request")
    return LLMInfraError(reason, detail, status=status)


def classify(exc: BaseException) -> LLMInfraError | LLMModelError:
    """Map any exception raised by a chat call to its class and reason."""
    import openai

    if isinstance(exc, (LLMInfraError, LLMModelError)):
        return exc
    if isinstance(exc, openai.APITimeoutError):  # before APIConnectionError, its base class
        return LLMInfraError("timeout", str(exc), retryable=True)
    if isinstance(exc, openai.APIConnectionError):
        return LLMInfraError("connection", str(exc), retryable=True)
    if isinstance(exc, openai.APIStatusError):
        return classify_status(exc.status_code, exc.body or exc.message, exc.response.headers)
    if isinstance(exc, openai.APIResponseValidationError):
        return LLMInfraError("bad_response", str(exc), retryable=True)
    if isinstance(exc, (TimeoutError, ConnectionError)):
        return LLMInfraError(type(exc).__name__, str(exc), retryable=True)
    if isinstance(exc, (ValueError, KeyError, TypeError)):
        return LLMModelError("unparsable_reply", f"{type(exc).__name__}: {exc}")
    return LLMInfraError("unexpected", f"{type(exc).__name__}: {exc}")
