"""Every failure of a chat call maps to infrastructure or model, with its reason."""

try:
    import httpx2
except ImportError:  # openai < 3 uses httpx
    import httpx as httpx2
import openai
import pytest

from memgym.errors import ContextOverflow, InfraError, ModelError
from memgym.llm.classify import LLMInfraError, LLMModelError, classify, retry_after

URL = "http://127.0.0.1:9/v1/chat/completions"


def status_error(
    status: int, body: object = None, headers: dict | None = None
) -> openai.APIStatusError:
    request = httpx2.Request("POST", URL)
    response = httpx2.Response(status, headers=headers or {}, request=request)
    cls = {
        400: openai.BadRequestError,
        401: openai.AuthenticationError,
        429: openai.RateLimitError,
    }.get(status, openai.APIStatusError)
    if status >= 500:
        cls = openai.InternalServerError
    return cls(f"HTTP {status}", response=response, body=body)


CASES = [
    (openai.APIConnectionError(request=httpx2.Request("POST", URL)), "infra", "connection", True),
    (openai.APITimeoutError(request=httpx2.Request("POST", URL)), "infra", "timeout", True),
    (status_error(408), "infra", "http_retryable", True),
    (status_error(429, headers={"retry-after": "2"}), "infra", "rate_limited", True),
    (status_error(500), "infra", "server_error", True),
    (status_error(502), "infra", "server_error", True),
    (status_error(503), "infra", "server_error", True),
    (status_error(401), "infra", "auth", False),
    (status_error(404), "infra", "not_found", False),
    (status_error(400, {"code": "context_length_exceeded"}), "model", "context_length", False),
    (status_error(400, {"message": "bad temperature"}), "infra", "bad_request", False),
    (ConnectionResetError("reset"), "infra", "ConnectionResetError", True),
    (RuntimeError("boom"), "infra", "unexpected", False),
    (ValueError("not JSON"), "model", "unparsable_reply", False),
    (LLMModelError("invalid_tool_json", "x"), "model", "invalid_tool_json", False),
]


@pytest.mark.parametrize("exc,kind,reason,retryable", CASES, ids=[c[2] for c in CASES])
def test_classification_table(exc, kind, reason, retryable):
    error = classify(exc)
    assert error.reason == reason
    if kind == "infra":
        assert isinstance(error, InfraError) and isinstance(error, LLMInfraError)
        assert error.retryable is retryable
    else:
        assert isinstance(error, ModelError) and not isinstance(error, InfraError)


def test_retry_after_is_read_from_either_header_and_capped():
    assert classify(status_error(429, headers={"retry-after": "2"})).retry_after == 2.0
    assert retry_after({"retry-after-ms": "250"}) == 0.25
    assert retry_after({"retry-after": "99999"}) == 60.0
    assert retry_after({"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}) is None
    assert retry_after({}) is None


OVERFLOWS = {
    "llama.cpp server": {
        "error": {
            "code": 400,
            "message": "the request exceeds the available context size, try increasing it",
            "type": "exceed_context_size_error",
        }
    },
    "llama-cpp-python / vLLM": {
        "message": "This model's maximum context length is 2048 tokens. However, you requested "
        "2101 tokens (2037 in the messages, 64 in the completion). Please reduce the length of "
        "the messages or completion.",
        "type": "invalid_request_error",
        "code": "context_length_exceeded",
    },
    "vLLM (decoder prompt)": {
        "message": "The decoder prompt (length 3012) is longer than the maximum model length of "
        "2048. Make sure that `max_model_len` is no smaller than the number of text tokens.",
    },
    "OpenAI": {
        "error": {
            "message": "This model's maximum context length is 128000 tokens. However, your "
            "messages resulted in 130211 tokens. Please reduce the length of the messages.",
            "type": "invalid_request_error",
            "param": "messages",
            "code": "context_length_exceeded",
        }
    },
}


@pytest.mark.parametrize("server", list(OVERFLOWS))
def test_real_servers_overflow_wordings_are_context_overflows(server):
    error = classify(status_error(400, OVERFLOWS[server]))
    assert isinstance(error, ContextOverflow) and isinstance(error, ModelError)
    assert not isinstance(error, InfraError) and error.reason == "context_length"


def test_only_a_4xx_is_read_as_an_overflow():
    body = {"message": "context length of the KV cache: internal failure"}
    assert classify(status_error(500, body)).reason == "server_error"
    assert classify(status_error(400, {"message": "temperature out of range"})).reason == (
        "bad_request"
    )
