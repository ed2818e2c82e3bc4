"""A blocking chat client and its call cache, opened and closed as one (the agents and the
summary memories each hold one)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from memgym.llm.client import SyncLLMClient


def open_client(
    model: str,
    base_url: str | None,
    cache_path: str,
    options: Mapping[str, Any],
    journal: bool = False,
) -> SyncLLMClient:
    """A ``SyncLLMClient`` for ``model`` at ``base_url``, caching its calls in the SQLite file
    ``cache_path`` ("": no cache; a ``journal``: its answers count as calls made, see
    ``CallCache``); ``options`` as ``LLMClient`` takes them."""
    from memgym.llm.cache import CallCache
    from memgym.llm.client import SyncLLMClient

    cache = CallCache(cache_path, journal) if cache_path else None
    return SyncLLMClient(model, base_url, cache=cache, **options)


def close_client(client: SyncLLMClient) -> None:
    """Close the client's connections and its call cache."""
    client.close()
    if client.client.cache is not None:
        client.client.cache.close()
