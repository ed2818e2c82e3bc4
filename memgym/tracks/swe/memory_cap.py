"""A cap on the memory of all a sandboxed command's processes together: a memory cgroup.

``RLIMIT_AS`` bounds each process (1 GiB by default), not their sum: with 64 processes a
command could hold 64 GiB. When memgym runs as root and a memory cgroup is writable (v1
``/sys/fs/cgroup/memory``, nested under memgym's own group, or v2 with the ``memory``
controller), the command's child joins a group of the sandbox's own whose limit (``limit_mb``,
swap included where the kernel accounts it) binds every process it starts, ``tmpfs`` pages it
writes (``/tmp``) included; past it the kernel's OOM killer kills a process of the group, and
``kills`` counts those kills so the sandbox can say so. Without a writable memory cgroup
(``kind`` ``none``) only the per-process ``RLIMIT_AS`` and the process cap hold.
"""

from __future__ import annotations

import os
from pathlib import Path

from memgym.tracks.swe.process_cap import enter_cgroup, remove_cgroup

V1 = Path("/sys/fs/cgroup/memory")
V2 = Path("/sys/fs/cgroup")
MB = 1024 * 1024


def _own_group_v1() -> Path:
    """memgym's own group in the v1 memory hierarchy (its children nest under its limit)."""
    for line in Path("/proc/self/cgroup").read_text().splitlines():
        _, controllers, path = line.split(":", 2)
        if "memory" in controllers.split(","):
            return V1 / path.lstrip("/")
    return V1


def _parent() -> tuple[Path, int] | None:
    """Where this process may create a memory group, and the cgroup version; or None."""
    if (V1 / "cgroup.procs").exists():
        for parent in (_own_group_v1(), V1):
            if parent.is_dir() and os.access(parent, os.W_OK):
                return parent, 1
        return None
    control = V2 / "cgroup.subtree_control"
    if control.exists() and os.access(V2, os.W_OK) and "memory" in control.read_text().split():
        return V2, 2
    return None


class MemoryCap:
    """At most ``limit_mb`` of memory for the processes of one sandbox's command (named by
    ``name``); ``cgroup=False`` makes none (as if no memory cgroup were writable)."""

    def __init__(self, name: str, limit_mb: int, cgroup: bool = True) -> None:
        self.limit_mb = limit_mb
        self.path: Path | None = None
        self.version = 0
        found = _parent() if os.geteuid() == 0 and cgroup else None
        if found is not None:
            parent, version = found
            path = parent / f"memgym-{name}"
            try:
                path.mkdir()
                self._limit(path, version, limit_mb * MB)
                self.path, self.version = path, version
            except OSError:
                remove_cgroup(path, tries=100)
        self._procs = str(self.path / "cgroup.procs") if self.path else ""

    @staticmethod
    def _limit(path: Path, version: int, size: int) -> None:
        if version == 1:
            (path / "memory.limit_in_bytes").write_text(str(size))
            swap = path / "memory.memsw.limit_in_bytes"
            if swap.exists():  # swap accounted: memory and swap together stay at the limit
                swap.write_text(str(size))
        else:
            (path / "memory.max").write_text(str(size))
            if (path / "memory.swap.max").exists():
                (path / "memory.swap.max").write_text("0")

    @property
    def kind(self) -> str:
        return "cgroup" if self.path is not None else "none"

    def join(self) -> None:
        """In the child, before ``exec``: enter the group (if any)."""
        enter_cgroup(self._procs)

    def kills(self) -> int:
        """How many processes the kernel killed for the group's limit so far (0 without one)."""
        if self.path is None:
            return 0
        name = "memory.oom_control" if self.version == 1 else "memory.events"
        try:
            text = (self.path / name).read_text()
        except OSError:
            return 0
        for line in text.splitlines():
            key, _, value = line.partition(" ")
            if key == "oom_kill":
                return int(value)
        return 0

    def close(self) -> None:
        if self.path is not None:
            remove_cgroup(self.path, tries=100)
            self.path = None
