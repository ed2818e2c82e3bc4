"""Writing a file so that a kill never leaves it cut: the content goes to a temporary file beside
it, which then replaces it in one step (``os.replace``); and reading back a cache entry that may
be missing or cut."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


@contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """A temporary path beside ``path`` for the block to write; when the block ends it replaces
    ``path`` in one step (readers see the old file or the whole new one, never a part), and when
    it raises (a kill) it is removed and ``path`` is left as it was."""
    path = Path(path)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name[:24]}.", suffix=".tmp")
    os.close(fd)
    try:
        yield Path(temp)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def write_atomic(path: str | Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` whole or not at all (``atomic_path``)."""
    with atomic_path(path) as temp:
        temp.write_text(text, encoding="utf-8")


def read_json(path: str | Path) -> Any | None:
    """The JSON value ``path`` holds, or None when there is no such file or it cannot be read (a
    cache entry cut by a kill: the caller makes it again)."""
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
