"""An empty scratch of its own for each episode child of a sandboxed worker.

The sandbox gives the worker a private ``/scratch`` and ``/tmp`` (``memgym.run.sandbox``), but
every episode child forked from it would share them, so a plugin could leave itself a note from
one episode (memory, task or seed) to the next. ``fresh_folders`` runs in the child before any
plugin code: it enters a user and mount namespace of its own (mapping its user to itself, no
capability outside it), mounts a fresh empty tmpfs on each writable folder (``/scratch``,
``/tmp``, ``/dev/shm``) and a read-only empty one over the worker's socket folder, then enters a
second pair of namespaces, so those mounts are locked to the ones beneath (the kernel refuses to
unmount or move them, or to bind what they hide, in a less privileged namespace). Nothing the
child writes outlives it: the tmpfs goes when its last process does. A child of a plugin's
worker that serves another episode (one of another scenario: ``memgym.run.replays``) first
empties them (``wipe_folders``), or ends when it cannot.

The worker itself is not dumpable (``/proc/1/root``, where its shared folders are, cannot be
opened by a child); a child is dumpable only while it writes its own user maps here, then not.
"""

from __future__ import annotations

import ctypes
import os
import shutil
from collections.abc import Sequence

CLONE_NEWNS = 0x00020000
CLONE_NEWUSER = 0x10000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REC, MS_PRIVATE = 0x4000, 1 << 18
PR_SET_DUMPABLE = 4
WRITABLE = (("/scratch", "0777"), ("/tmp", "1777"), ("/dev/shm", "1777"))
"""The folders an episode gets empty and writable (mode), when they exist."""


LIBC = ctypes.CDLL(None, use_errno=True)
"""The C library, loaded once in the worker (a child forked from it finds its functions ready,
instead of loading it and copying the pages that touches: ~0.5 ms an episode)."""
for _name in ("prctl", "unshare", "mount", "syscall"):
    getattr(LIBC, _name)  # ctypes caches each function on first use: do it before any fork


def check(result: int, what: str) -> None:
    """An ``OSError`` naming ``what`` unless ``result`` (a C call's) is 0."""
    if result != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"episode scratch: {what}: {os.strerror(errno)}")


def _own_namespaces(libc: ctypes.CDLL) -> None:
    """Enter a new user namespace (this user mapped to itself) and mount namespace."""
    uid, gid = os.geteuid(), os.getegid()
    check(libc.unshare(CLONE_NEWUSER | CLONE_NEWNS), "unshare (are user namespaces enabled?)")
    for name, text in (("setgroups", "deny"), ("uid_map", f"{uid} {uid} 1"),
                       ("gid_map", f"{gid} {gid} 1")):  # fmt: skip
        fd = os.open(f"/proc/self/{name}", os.O_WRONLY)
        try:
            os.write(fd, text.encode("ascii"))
        finally:
            os.close(fd)


def _mount_tmpfs(libc: ctypes.CDLL, path: str, mode: str, flags: int) -> None:
    check(
        libc.mount(b"tmpfs", path.encode(), b"tmpfs", flags, f"mode={mode}".encode()),
        f"mount a tmpfs on {path}",
    )


def fresh_folders(hidden: Sequence[str] = ()) -> None:
    """Give this process (an episode child, before plugin code runs) empty ``WRITABLE``
    folders of its own and an empty read-only tmpfs over each of ``hidden``; chdir to ``HOME``.
    An ``OSError`` names the step that failed (e.g. user namespaces disabled)."""
    libc = LIBC
    check(libc.prctl(PR_SET_DUMPABLE, 1, 0, 0, 0), "prctl(PR_SET_DUMPABLE, 1)")
    _own_namespaces(libc)
    check(libc.mount(None, b"/", None, MS_REC | MS_PRIVATE, None), "make / private")
    for path, mode in WRITABLE:
        if os.path.isdir(path):
            _mount_tmpfs(libc, path, mode, MS_NOSUID | MS_NODEV)
    for path in hidden:
        _mount_tmpfs(libc, path, "0555", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC)
    _own_namespaces(libc)  # the mounts above are now locked to what they cover
    check(libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0), "prctl(PR_SET_DUMPABLE, 0)")
    os.chdir(os.environ.get("HOME", "/"))


def wipe_folders() -> bool:
    """Empty this episode child's ``WRITABLE`` folders (between two of its episodes) and chdir
    to ``HOME``; whether they are empty now (``False``: something could not be removed or read,
    e.g. a mount the plugin made there, and the child must end instead of serving another)."""
    empty = True
    for path, _ in WRITABLE:
        if os.path.isdir(path):
            _empty(path)
            try:
                empty = empty and not os.listdir(path)
            except OSError:
                empty = False
    try:
        os.chdir(os.environ.get("HOME", "/"))
    except OSError:
        return False
    return empty


def _empty(path: str) -> None:
    """Remove what ``path`` holds, as far as it can (links themselves, never their targets)."""
    try:
        entries = list(os.scandir(path))
    except OSError:
        return
    for entry in entries:
        if entry.is_dir(follow_symlinks=False):
            shutil.rmtree(entry.path, ignore_errors=True)
        else:
            try:
                os.unlink(entry.path)
            except OSError:
                pass
