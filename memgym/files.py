"""Writing a file so that a kill never leaves it cut: the content goes to a temporary file beside
it, which then replaces it in one step (``os.replace``); and reading back a cache entry that may
be missing or cut."""

from __future__ import annotations

import json
import os
import secrets
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


@contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """A temporary path beside ``path`` for the block to write; when the block ends it replaces
    ``path`` in one step (readers see the old file or the whole new one, never a part), and when
    it raises (a kill, a full disk) it is removed and ``path`` is left as it was. A ``path`` that
    is not a regular file (a symbolic link, ``/dev/stdout``, a pipe) is written through, as
    ``open`` would. The new content is flushed to the disk (``fsync``) before the replacement and
    the folder after it, so a power loss, too, leaves the old file or the whole new one."""
    path = Path(path)
    try:
        kind = os.lstat(path).st_mode
    except FileNotFoundError:
        kind = None
    if kind is not None and not stat.S_ISREG(kind):  # a link, a device, a pipe: written through
        yield path
        return
    try:
        temp = _new_file_beside(path, kind is not None)
    except OSError as exc:
        raise _naming(exc, path) from None
    try:
        yield Path(temp)
        _sync(temp)
        os.replace(temp, path)
    except OSError as exc:
        Path(temp).unlink(missing_ok=True)
        if exc.filename != temp:
            raise
        raise _naming(exc, path) from None
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    _sync(path.parent, folder=True)


def _naming(exc: OSError, path: Path) -> OSError:
    """``exc`` about the temporary file, as the same error about ``path``, the file the user
    named (the temporary one is an implementation detail)."""
    return type(exc)(exc.errno, exc.strerror, str(path))


def _sync(path: str | Path, folder: bool = False) -> None:
    """Flush ``path``'s data to the disk. A folder is flushed only where the system allows it (a
    folder cannot be opened or synced everywhere): its entry for the new file is then as safe as
    the system makes it."""
    try:
        fd = os.open(path, os.O_RDONLY | (getattr(os, "O_DIRECTORY", 0) if folder else 0))
    except OSError:
        if folder:
            return
        raise
    try:
        os.fsync(fd)
    except OSError:
        if not folder:
            raise
    finally:
        os.close(fd)


def _new_file_beside(path: Path, exists: bool) -> str:
    """A new empty file in ``path``'s folder with the mode ``path`` has (``exists``) or, for a
    new file, the one the umask gives, as ``open`` would (``mkstemp``'s 0600 would outlive the
    rename)."""
    mode = stat.S_IMODE(path.stat().st_mode) if exists else 0o666
    while True:
        temp = str(path.parent / f".{path.name[:24]}.{secrets.token_hex(4)}.tmp")
        try:
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
        except FileExistsError:
            continue
        os.close(fd)
        if exists:
            os.chmod(temp, mode)  # the umask narrowed it; the file it replaces had this mode
        return temp


def write_atomic(path: str | Path, content: str | bytes) -> None:
    """Write ``content`` (text as UTF-8) to ``path`` whole or not at all (``atomic_path``): a
    kill or a full disk leaves the previous file as it was."""
    with atomic_path(path) as temp:
        if isinstance(content, bytes):
            temp.write_bytes(content)
        else:
            temp.write_text(content, encoding="utf-8")


def read_json(path: str | Path) -> Any | None:
    """The JSON value ``path`` holds, or None when there is no such file or it cannot be read (a
    cache entry cut by a kill: the caller makes it again)."""
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
