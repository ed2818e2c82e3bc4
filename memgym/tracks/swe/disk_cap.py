"""A cap on a session's disk: the folder holding its working directory, size-limited.

Without it a session could write into ``/repo`` without bound (measured: ~140 MB/s to the host
disk; ``RLIMIT_FSIZE`` bounds one file, not how many). As root (the dev and CI setting) the
session's folder is a ``tmpfs`` of its own mounted on the host with ``size`` ``limit_mb`` and a
bounded number of files (``kind`` ``tmpfs``): a write past it fails inside the command with
``No space left on device``. Otherwise (``kind`` ``check``) nothing stops a write while a
command runs, and ``reached`` measures the folder after each command. Either way the session
asks ``reached`` after every command and ends when it says so: the agent is told, the task
scores 0 and its session's later tasks are never reached; the run's other sessions go on.
"""

from __future__ import annotations

import ctypes
import os
import tempfile
from pathlib import Path

MB = 1024 * 1024
FILES_PER_MB = 64
"""Files (inodes) allowed per MiB of the cap: a flood of empty files also fills it."""
MNT_DETACH = 2


def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(None, use_errno=True)


class DiskCap:
    """A fresh folder (``root``) of at most ``limit_mb`` MiB; ``mount=False`` never mounts
    (the ``check`` kind, as when not root)."""

    def __init__(self, limit_mb: int, mount: bool = True) -> None:
        self.limit_mb = limit_mb
        self.root = Path(tempfile.mkdtemp(prefix="memgym-swe-"))
        self.mounted = False
        if mount and os.geteuid() == 0:
            options = f"size={limit_mb}m,nr_inodes={limit_mb * FILES_PER_MB},mode=0700"
            done = _libc().mount(
                b"tmpfs", str(self.root).encode(), b"tmpfs", 0, options.encode()
            )  # MS_* flags: none; nosuid/nodev come from the sandbox's own mount of /repo
            self.mounted = done == 0

    @property
    def kind(self) -> str:
        return "tmpfs" if self.mounted else "check"

    def used(self) -> int:
        """Bytes in use under ``root`` (the file system's count on a ``tmpfs``, else a walk
        counting each file's allocated blocks, links never followed)."""
        if self.mounted:
            stats = os.statvfs(self.root)
            return (stats.f_blocks - stats.f_bfree) * stats.f_frsize
        total = 0
        for folder, _, files in os.walk(self.root):
            for name in files:
                try:
                    total += os.lstat(os.path.join(folder, name)).st_blocks * 512
                except OSError:
                    pass
        return total

    def reached(self) -> bool:
        """Whether the cap is reached: less than 1 MiB left, or no free file (inode) left."""
        if self.mounted:
            stats = os.statvfs(self.root)
            if stats.f_favail == 0:
                return True
        return self.used() >= (self.limit_mb - 1) * MB

    def message(self) -> str:
        return f"the session's disk cap ({self.limit_mb} MiB for the working directory) was reached"

    def close(self) -> None:
        """Unmount (lazily: nothing of the host can hold it; its files go with it); the caller
        removes the folder and, under ``check``, what is in it."""
        if self.mounted:
            _libc().umount2(str(self.root).encode(), MNT_DETACH)
            self.mounted = False
