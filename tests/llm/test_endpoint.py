"""A chat client and its call cache, opened and closed as one."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from memgym.llm.endpoint import close_client, open_client


def test_open_client_caches_in_the_file_named_and_close_client_closes_the_cache(
    tmp_path: Path,
) -> None:
    path = tmp_path / "calls.sqlite"
    client = open_client("m", "http://127.0.0.1:9/v1", str(path), {"max_retries": 2, "seed": 3})
    cache = client.client.cache
    assert cache is not None and path.exists()
    cache.put("k", "m", {"answer": 1})
    assert cache.get("k") == {"answer": 1}
    assert client.client.max_retries == 2 and client.client.base_url == "http://127.0.0.1:9/v1"
    close_client(client)
    with pytest.raises(sqlite3.ProgrammingError):
        cache.get("k")  # the connection is closed
    uncached = open_client("m", None, "", {})
    assert uncached.client.cache is None
    close_client(uncached)
