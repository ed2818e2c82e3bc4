"""A cap on the processes of a sandboxed command: a pids cgroup, or ``RLIMIT_NPROC``.

``RLIMIT_NPROC`` stops a fork bomb only for an unprivileged user: the kernel exempts root
(measured: 100 children started under a limit of 32 as root inside bubblewrap's user namespace,
which maps root to root). As root every command runs as an unused user id of its own (``uid``,
one per sandbox, so sandboxes never share a count; the sandbox drops to it inside) where
``RLIMIT_NPROC`` binds, and when a pids cgroup is writable (v1 ``/sys/fs/cgroup/pids`` or v2
``/sys/fs/cgroup`` with the pids controller) the child joins it before ``bwrap`` runs, so every
process it starts counts, and whatever is left when the command ends is killed. ``kind`` says
which cap holds: ``cgroup`` (and ``uid``), ``uid`` or ``rlimit`` (not root: the user's own id).
"""

from __future__ import annotations

import os
import signal
import time
import zlib
from pathlib import Path

V1 = Path("/sys/fs/cgroup/pids")
V2 = Path("/sys/fs/cgroup")
UID_BASE = 2_000_000
"""Sandbox user ids are ``UID_BASE`` plus up to a million: ids no account here uses."""


def _cgroup_root() -> Path | None:
    """A pids cgroup hierarchy this process may create groups in, or None."""
    if (V1 / "cgroup.procs").exists() and os.access(V1, os.W_OK):
        return V1
    control = V2 / "cgroup.subtree_control"
    if control.exists() and os.access(V2, os.W_OK) and "pids" in control.read_text().split():
        return V2
    return None


def remove_cgroup(path: Path, tries: int) -> None:
    """Remove the cgroup folder ``path`` once its last process is gone (a killed process takes a
    moment): up to ``tries`` attempts 50 ms apart."""
    for _ in range(tries):
        try:
            path.rmdir()
            return
        except FileNotFoundError:
            return
        except OSError:
            time.sleep(0.05)


def enter_cgroup(procs: str) -> None:
    """Move this process into the cgroup whose ``cgroup.procs`` file is ``procs`` ("": none).
    Called in a forked child before ``exec``: a raw write, no Python file object."""
    if procs:
        fd = os.open(procs, os.O_WRONLY)
        try:
            os.write(fd, str(os.getpid()).encode())
        finally:
            os.close(fd)


class ProcessCap:
    """At most ``limit`` processes for the commands of one sandbox (named by ``name``)."""

    def __init__(self, name: str, limit: int, cgroup: bool = True) -> None:
        """``cgroup=False`` skips the pids cgroup (as if none were writable)."""
        self.limit = limit
        self.path: Path | None = None
        self.uid: int | None = None
        root = _cgroup_root() if os.geteuid() == 0 and cgroup else None
        if root is not None:
            path = root / name
            try:
                path.mkdir()
                (path / "pids.max").write_text(str(limit))
                self.path = path
            except OSError:
                remove_cgroup(path, tries=50)
        if os.geteuid() == 0:
            self.uid = UID_BASE + zlib.crc32(name.encode()) % 1_000_000
        self._procs = str(self.path / "cgroup.procs") if self.path else ""

    @property
    def kind(self) -> str:
        if self.path is not None:
            return "cgroup"
        if self.uid is not None:
            return "uid"
        return "rlimit"

    def join(self) -> None:
        """In the child, before ``exec``: enter the cgroup (if any)."""
        enter_cgroup(self._procs)

    def kill_all(self) -> None:
        """Kill every process still in the cgroup and wait until it is empty (at most 10 s)."""
        if self.path is None:
            return
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            pids = [int(p) for p in (self.path / "cgroup.procs").read_text().split()]
            if not pids:
                return
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            time.sleep(0.05)

    def close(self) -> None:
        if self.path is not None:
            self.kill_all()
            remove_cgroup(self.path, tries=50)
            self.path = None
