"""Nothing an episode child of a sandboxed worker starts outlives it.

A plugin may start processes (a daemon it forks, ``setsid``, a double fork) and make kernel
objects (System V message queues and shared memory, POSIX message queues, abstract Unix
sockets): left in the worker's namespaces, they would outlive the child and could hand a
scenario's stream to the fresh child of a later repeat. ``own_pid_namespace`` runs in the child
after its scratch (``memgym.run.episode_scratch``, whose user namespace gives it the right) and
before any plugin code: it enters new PID and IPC namespaces (and a network namespace, with no
interface but a down loopback, unless a component needs an LLM endpoint), then forks. The new
process, PID 1 of its namespace, serves the episodes; the old one waits for it and exits with
its status. When PID 1 exits the kernel kills every other process of the namespace, and the IPC
and network namespaces, with every object in them, go with their last process. No process of
the namespace can signal or trace one outside it, a sibling's included (their PIDs are not in
it).

Where the network is shared, the child also enters a Landlock domain of its own scoped to
abstract Unix sockets and signals (Linux 6.12 and later, Landlock ABI 6): it and what it starts
cannot connect to an abstract socket made outside it, a waiting sibling's included (on an
older kernel ``sandbox.note_unscoped`` says once that they are shared). The shared
network itself stays a channel between live children (a TCP or UDP port on the loopback) and
to any host it reaches.

``/proc`` stays the worker's (the kernel refuses a child a fresh one: bubblewrap's has
read-only covers, ``/proc/sys`` and others, which a less privileged namespace cannot see past),
so a child still lists the worker's other processes and reads what any may read of them
(``cmdline``, ``stat``; not its memory or environment: a child is not dumpable) while they run.
"""

from __future__ import annotations

import ctypes
import os
from functools import cache

from memgym.run.episode_scratch import LIBC, check

CLONE_NEWIPC = 0x08000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000
SYS_LANDLOCK_CREATE_RULESET, SYS_LANDLOCK_RESTRICT_SELF = 444, 446
LANDLOCK_CREATE_RULESET_VERSION = 1
SCOPE_ABSTRACT_UNIX_SOCKET, SCOPE_SIGNAL = 1, 2
SCOPED_ABI = 6
"""The first Landlock ABI with scopes."""


def own_pid_namespace(network: bool) -> None:
    """Continue as PID 1 of new PID and IPC namespaces (and a new network namespace unless
    ``network``); the calling process never returns (it exits with PID 1's status, once every
    process of the namespace has ended). An ``OSError`` names the step that failed."""
    flags = CLONE_NEWPID | CLONE_NEWIPC | (0 if network else CLONE_NEWNET)
    check(LIBC.unshare(flags), "unshare a PID and IPC namespace")
    if network:
        scope_sockets()
    pid = os.fork()
    if pid:
        os.closerange(3, 1 << 16)  # the connection's end is PID 1's alone
        _wait_and_exit(pid)


def _wait_and_exit(pid: int) -> None:
    """Wait for ``pid`` (PID 1 of the namespace: its CPU then counts to this process's) and
    exit with its status."""
    while True:
        try:
            _, status = os.waitpid(pid, 0)
            break
        except InterruptedError:
            continue
    code = os.waitstatus_to_exitcode(status)
    os._exit(code if code >= 0 else 1)


@cache
def landlock_abi() -> int:
    """The kernel's Landlock ABI version (0: none)."""
    version = LIBC.syscall(SYS_LANDLOCK_CREATE_RULESET, None, 0, LANDLOCK_CREATE_RULESET_VERSION)
    return max(int(version), 0)


def scope_sockets() -> None:
    """Enter a Landlock domain scoped to abstract Unix sockets and signals, where the kernel
    has scopes (else nothing: the network namespace is the lock there)."""
    if landlock_abi() < SCOPED_ABI:
        return
    attr = (ctypes.c_uint64 * 3)(0, 0, SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL)
    fd = LIBC.syscall(SYS_LANDLOCK_CREATE_RULESET, ctypes.byref(attr), ctypes.sizeof(attr), 0)
    check(0 if fd >= 0 else -1, "landlock_create_ruleset")
    try:
        check(LIBC.syscall(SYS_LANDLOCK_RESTRICT_SELF, fd, 0), "landlock_restrict_self")
    finally:
        os.close(fd)
