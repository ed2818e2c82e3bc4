"""The check a run makes before it starts: can every model endpoint it will call be reached?

A wrong ``--base-url`` would otherwise cost every episode its full retry budget (minutes) before
the run gives up. One ``GET {base_url}/models`` per endpoint, with a short timeout, settles it:
no connection, or an answer refusing the API key, is one error line and no run. An endpoint that
answers anything else is reachable (some servers do not list models: a 404 is fine); one that
takes the connection and answers nothing in time is a server busy with another request (a
llama.cpp server answers one at a time): a warning, and the run goes on. With a call cache, a
failed check is only a warning: the cache may answer every call.
"""

from __future__ import annotations

import http.client
import json
import os
import urllib.error
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass

TIMEOUT_S = 5.0
"""Seconds the check waits for an endpoint (connect plus answer)."""
OPENAI_URL = "https://api.openai.com/v1"
MAX_BODY = 4 << 20
"""Bytes of a model list read at most (a list of a few thousand models fits)."""


@dataclass(frozen=True)
class Endpoint:
    """An endpoint a spec calls: base URL (None: the SDK's default), key variable, model."""

    base_url: str | None
    api_key_env: str
    model: str | None
    cache: str
    """The spec's call cache file ("" without one)."""

    @property
    def cache_may_answer(self) -> bool:
        """Whether the call cache holds anything: a file that is missing or empty answers no
        call, so an endpoint that cannot be reached stops the run."""
        return bool(self.cache) and os.path.isfile(self.cache) and os.path.getsize(self.cache) > 0

    @property
    def url(self) -> str:
        return (self.base_url or os.environ.get("OPENAI_BASE_URL") or OPENAI_URL).rstrip("/")


def endpoints(specs: Iterable[str]) -> list[Endpoint]:
    """The endpoints named in memory and reasoner specs: those of every spec that calls a model
    (the ``llm`` reasoner, ``agentic-llm``, a ``summary`` with ``summarizer=llm``: the default
    endpoint when they name none) and any spec's with a ``base_url`` option, once each."""
    from memgym.commands.model_options import accepted
    from memgym.specs import parse_spec

    found: dict[tuple[str | None, str], Endpoint] = {}
    for spec in specs:
        _, options = parse_spec(spec)
        if not accepted(spec) and "base_url" not in options:
            continue
        base = options.get("base_url")
        key_env = str(options.get("api_key_env") or "OPENAI_API_KEY")
        model = options.get("model")
        point = Endpoint(
            str(base) if base else None,
            key_env,
            str(model) if model is not None else None,
            str(options.get("cache") or ""),
        )
        found.setdefault((point.base_url, key_env), point)
    return list(found.values())


class BadURL(ValueError):
    """A base URL no client can call, with a call cache or without."""


class _Busy(Exception):
    """The endpoint took the connection and sent no answer in time."""


def check(point: Endpoint, timeout: float = TIMEOUT_S) -> str | None:
    """``ValueError`` (one line) when ``point`` cannot be reached or refuses its API key; a
    warning line when it lists models and not the one asked for, or takes the connection and
    answers nothing in ``timeout``; else None.

    The standard library's HTTP client makes the call: memgym declares no HTTP package of its
    own (the openai SDK's transport changed from httpx to httpx2 between major versions)."""
    scheme = point.url.partition("://")[0].lower() if "://" in point.url else ""
    if scheme not in ("http", "https"):
        hint = f"add http:// (http://{point.url})" if not scheme else "use http:// or https://"
        raise BadURL(
            f"bad model endpoint URL {point.url}: no http:// or https:// before the host; {hint}"
            "; nothing was run"
        )
    try:
        status, body = _get(point, timeout)
    except _Busy:
        return (
            f"warning: the model endpoint {point.url} took the connection but answered nothing to"
            f" GET /models in {timeout:g} s (a server that answers one request at a time may be"
            " busy with another); going on: each call waits up to the run's --timeout"
        )
    if status in (401, 403):
        raise ValueError(
            f"the model endpoint {point.url} refused the API key (HTTP {status}); "
            f"check ${point.api_key_env} (--api-key-env); nothing was run"
        )
    if status >= 500:
        raise ValueError(
            f"the model endpoint {point.url} answered HTTP {status} to GET /models; nothing was run"
        )
    return _missing_model(point, status, body)


def _get(point: Endpoint, timeout: float) -> tuple[int, bytes]:
    """``GET {url}/models`` (redirects followed): the status and the body (empty unless 200);
    ``_Busy`` when the server took the connection and did not answer in ``timeout``."""
    key = os.environ.get(point.api_key_env)
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    url = f"{point.url}/models"
    try:
        request = urllib.request.Request(url, headers=headers)
        with urllib.request.urlopen(request, timeout=timeout) as reply:
            return int(reply.status), reply.read(MAX_BODY) if reply.status == 200 else b""
    except urllib.error.HTTPError as exc:  # an answer all the same: 4xx or 5xx
        exc.close()
        return int(exc.code), b""
    except (ValueError, http.client.InvalidURL) as exc:  # e.g. http://host:abc/v1, no scheme
        raise BadURL(
            f"bad model endpoint URL {point.url} ({exc}): check --base-url; nothing was run"
        ) from None
    except TimeoutError:  # connected, no answer (a timed-out connect is a URLError)
        raise _Busy from None
    except (OSError, http.client.HTTPException) as exc:  # refused, timed out, no such host
        reason = getattr(exc, "reason", None) or str(exc) or type(exc).__name__
        raise ValueError(
            f"cannot reach the model endpoint {point.url} ({reason}; GET /models, "
            f"{timeout:g} s timeout): check --base-url; nothing was run"
        ) from None


def _missing_model(point: Endpoint, status: int, body: bytes) -> str | None:
    """A warning when the endpoint lists its models and ``point.model`` is not among them."""
    if point.model is None or status != 200:
        return None
    try:
        data = json.loads(body).get("data")
        ids = [str(m["id"]) for m in data]
    except (ValueError, TypeError, KeyError, AttributeError):
        return None
    if not ids or point.model in ids:
        return None
    listed = ", ".join(ids[:5]) + (", ..." if len(ids) > 5 else "")
    return f"warning: {point.url} does not list model {point.model!r} (it lists {listed})"


def preflight(specs: Iterable[str], warn: object = None) -> None:
    """Check every endpoint of ``specs`` (see ``check``); ``warn(line)`` gets the warnings,
    including a failed check that a call cache may make up for."""
    say = warn if callable(warn) else (lambda _line: None)
    for point in endpoints(specs):
        if point.api_key_env != "OPENAI_API_KEY" and not os.environ.get(point.api_key_env):
            raise ValueError(
                f"the API key variable ${point.api_key_env} (--api-key-env, api_key_env=) is not"
                " set; nothing was run"
            )
        if point.base_url is None and not os.environ.get("OPENAI_BASE_URL"):
            say(
                f"note: no base_url given: model calls go to the public OpenAI API ({OPENAI_URL});"
                " give --base-url (or base_url=, or $OPENAI_BASE_URL) for another endpoint"
            )
        try:
            note = check(point, TIMEOUT_S)
        except ValueError as exc:
            if not point.cache_may_answer or isinstance(exc, BadURL):
                raise
            reason = str(exc).removesuffix("; nothing was run")
            note = (
                f"warning: {reason}; going on, as the call cache {point.cache} may answer every"
                " call"
            )
        if note:
            say(note)
