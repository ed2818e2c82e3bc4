"""A content-addressed SQLite cache of answered chat calls.

The key is the sha256 of the canonical JSON (sorted keys, compact) of the model, the request
parameters, the messages and the tools, so a rerun replays every answered call for free. Each
entry is committed on its own (WAL), so a crashed run loses nothing it had been answered. One
connection per cache, guarded by a lock: safe for the threads and event loops of one process.
Several caches may open one file at once (each worker thread of a run makes its own): SQLite
answers "database is locked" at once, without waiting, when two connections race to set it up,
so the setup is retried for a while before the error is raised.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

_SETUP_WAIT_S = 10.0  # how long opening retries a locked file before giving up

_SCHEMA = """
CREATE TABLE IF NOT EXISTS calls(
    key TEXT PRIMARY KEY, model TEXT NOT NULL, response TEXT NOT NULL,
    created REAL NOT NULL)
"""


def _check_foreign(path: str) -> None:
    """``ValueError`` for an existing file that is not a call cache (another SQLite database, such
    as a results file, or no database at all), read without changing it: opening it as a cache
    would switch it to WAL and add a table before the mismatch showed."""
    if not os.path.isfile(path) or os.path.getsize(path) == 0:
        return
    try:
        con = sqlite3.connect(f"{Path(os.path.abspath(path)).as_uri()}?mode=ro", uri=True)
        try:
            tables = {row[0] for row in con.execute("SELECT name FROM sqlite_master")}
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        raise ValueError(f"cannot use {path} as the call cache: {exc}") from None
    if tables - {"calls", "sqlite_autoindex_calls_1"}:
        listed = ", ".join(sorted(tables)[:4])
        raise ValueError(
            f"cannot use {path} as the call cache: it is another database (it holds {listed});"
            " give a new file or an earlier --cache"
        )


def cache_key(
    model: str,
    messages: Sequence[Mapping[str, Any]],
    tools: Sequence[Mapping[str, Any]] | None = None,
    params: Mapping[str, Any] | None = None,
) -> str:
    """sha256 hex of the canonical JSON of everything that determines a reply."""
    body = {"model": model, "messages": messages, "tools": tools or [], "params": params or {}}
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


class CallCache:
    """key -> response JSON, in an SQLite file (``":memory:"`` for a throwaway cache).

    A ``journal`` is a cache whose answers count as calls made (its hits are not ``cached`` in
    the ledger): ``memgym eval`` keeps one for its interactive sessions, so a session killed
    half-way replays the calls it had made when resumed, and the entry counts them once, as an
    uninterrupted run does."""

    def __init__(self, path: str | os.PathLike[str], journal: bool = False) -> None:
        """Open or create the cache; ``ValueError`` names a file that cannot be one (a folder
        memgym may not write, a damaged file, another program's ``calls`` table)."""
        self.journal = journal
        self._lock = threading.Lock()
        if str(path) != ":memory:":
            _check_foreign(str(path))
        try:
            self._con = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        except sqlite3.DatabaseError as exc:
            raise ValueError(f"cannot use {path} as the call cache: {exc}") from None
        try:
            with self._lock:
                self._setup(str(path) != ":memory:")
                self._con.execute("SELECT key, model, response, created FROM calls LIMIT 0")
        except sqlite3.DatabaseError as exc:
            self._con.close()
            raise ValueError(f"cannot use {path} as the call cache: {exc}") from None

    def _setup(self, on_disk: bool) -> None:
        """WAL mode and the table, retried while another connection holds the file's lock."""
        deadline = time.monotonic() + _SETUP_WAIT_S
        pause = 0.005
        while True:
            try:
                if on_disk:
                    self._con.execute("PRAGMA journal_mode=WAL")
                    self._con.execute("PRAGMA synchronous=NORMAL")
                self._con.execute(_SCHEMA)
                return
            except sqlite3.OperationalError as err:
                if "locked" not in str(err) or time.monotonic() > deadline:
                    raise
                time.sleep(pause)
                pause = min(pause * 2, 0.2)

    def get(self, key: str) -> dict[str, Any] | None:
        """The stored response for ``key``, or None."""
        with self._lock:
            row = self._con.execute("SELECT response FROM calls WHERE key = ?", (key,)).fetchone()
        return None if row is None else json.loads(row[0])

    def put(self, key: str, model: str, response: Mapping[str, Any]) -> None:
        """Store ``response`` under ``key`` (committed at once; a second put keeps the first)."""
        text = json.dumps(response, sort_keys=True, separators=(",", ":"))
        with self._lock:
            self._con.execute(
                "INSERT OR IGNORE INTO calls(key, model, response, created) VALUES (?, ?, ?, ?)",
                (key, model, text, time.time()),
            )

    def __len__(self) -> int:
        with self._lock:
            return self._con.execute("SELECT count(*) FROM calls").fetchone()[0]

    def close(self) -> None:
        with self._lock:
            self._con.close()
