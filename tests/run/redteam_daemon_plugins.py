"""A plugin memory that leaves notes in processes and kernel objects, outside its process.

``burrow`` keeps nothing in its budgeted memory. Every event it observes goes to two stores that
outlive the process that made them: a detached daemon (double fork and ``setsid``, named
``DAEMON`` in ``/proc/PID/comm``) serving what it holds over an abstract Unix socket, and a
System V shared memory segment (it needs no process at all). At ``reset`` it loads both and
feeds what they hold, the events of earlier episodes, into a ``full`` context: so it scores 0
on a scenario it meets for the first time and about 1 on one it has played before, wherever a
store survived. Its one compaction record reports what each store held.
"""

from __future__ import annotations

import ctypes
import json
import os
import socket
import time
from collections.abc import Mapping
from typing import Any

from memgym.memory.context import ContextMemory
from memgym.memory.registry import register_memory
from memgym.memory.window import WindowStage
from memgym.tracks.base import Track
from memgym.types import CompactionRecord, Event, Message

DAEMON = "burrow-daemon"
"""The daemon's process name (``/proc/PID/comm``)."""
ADDRESS = "\0memgym-redteam-burrow"
"""The daemon's abstract Unix socket (in the network namespace it was made in)."""
SHM_KEY = 0x6D677374
SHM_SIZE = 8 << 20
IDLE_S = 120.0
"""The daemon ends after this long without a connection (a failed test leaves none behind)."""
IPC_CREAT, IPC_RMID = 0o1000, 0

LIBC = ctypes.CDLL(None, use_errno=True)
LIBC.shmget.argtypes = [ctypes.c_int, ctypes.c_size_t, ctypes.c_int]
LIBC.shmat.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_int]
LIBC.shmat.restype = ctypes.c_void_p
LIBC.shmdt.argtypes = [ctypes.c_void_p]
LIBC.shmctl.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_void_p]


def read_all(s: socket.socket) -> bytes:
    """What ``s`` receives until its peer shuts its side."""
    return b"".join(iter(lambda: s.recv(1 << 16), b""))


def ask(line: str) -> list[dict[str, Any]] | None:
    """Send ``line`` to the daemon; the events it answers (``None``: no daemon here)."""
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(5)
            s.connect(ADDRESS)
            s.sendall(line.encode() + b"\n")
            s.shutdown(socket.SHUT_WR)
            data = read_all(s)
    except OSError:
        return None
    return json.loads(data) if data else []  # type: ignore[no-any-return]


def start_daemon() -> None:
    """Fork the daemon, detached (double fork, ``setsid``), unless one answers already."""
    if ask("get") is not None:
        return
    pid = os.fork()
    if pid == 0:
        try:
            os.setsid()
            if os.fork() == 0:
                serve()
        finally:
            os._exit(0)
    os.waitpid(pid, 0)
    for _ in range(200):
        if ask("get") is not None:
            return
        time.sleep(0.01)


def serve() -> None:
    """The daemon: hold every event sent to it (``put JSON``) and answer ``get`` with them
    all; ``quit`` ends it."""
    os.closerange(0, 1 << 16)
    for _ in range(3):  # stdin, stdout, stderr
        os.open(os.devnull, os.O_RDWR)
    LIBC.prctl(15, DAEMON.encode(), 0, 0, 0)  # PR_SET_NAME
    held: dict[str, Any] = {}
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as listener:
        try:
            listener.bind(ADDRESS)
        except OSError:
            return  # another daemon holds it
        listener.listen(16)
        listener.settimeout(IDLE_S)
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            with conn:
                conn.settimeout(5)
                data = read_all(conn).decode()
                command, _, body = data.strip().partition(" ")
                if command == "quit":
                    return
                if command == "put":
                    event = json.loads(body)
                    held.setdefault(event["text"], event)
                conn.sendall(json.dumps(list(held.values())).encode())


def segment() -> int:
    """The System V shared memory segment's address (0: none could be made)."""
    shmid = LIBC.shmget(SHM_KEY, SHM_SIZE, IPC_CREAT | 0o600)
    if shmid < 0:
        return 0
    address = LIBC.shmat(shmid, None, 0)
    return 0 if address in (None, ctypes.c_void_p(-1).value) else int(address)


def shm_events() -> list[dict[str, Any]]:
    """The events the segment holds (8 bytes of length, then JSON lines)."""
    address = segment()
    if not address:
        return []
    used = ctypes.c_uint64.from_address(address).value
    text = ctypes.string_at(address + 8, used).decode()
    LIBC.shmdt(address)
    return [json.loads(line) for line in text.splitlines() if line]


def shm_append(raw: dict[str, Any]) -> None:
    address = segment()
    if not address:
        return
    used = ctypes.c_uint64.from_address(address)
    line = (json.dumps(raw) + "\n").encode()
    if 8 + used.value + len(line) <= SHM_SIZE:
        ctypes.memmove(address + 8 + used.value, line, len(line))
        used.value += len(line)
    LIBC.shmdt(address)


def remove_segment() -> None:
    """Remove the segment from this IPC namespace (a test's cleanup)."""
    shmid = LIBC.shmget(SHM_KEY, 0, 0)
    if shmid >= 0:
        LIBC.shmctl(shmid, IPC_RMID, None)


@register_memory("burrow")
class Burrow(ContextMemory):
    """Answers from what earlier episodes left in a daemon and a shared memory segment."""

    name = "burrow"

    def __init__(self, track: Track, store: str = "both", model: str = "") -> None:
        """``store``: ``socket``, ``shm`` or ``both``; ``model`` is ignored (a spec naming one
        gets a worker that shares the network)."""
        super().__init__([WindowStage(None, name="full")], "burrow")
        self.store, self.model = store, model
        self.seen: set[str] = set()
        self._records: list[CompactionRecord] = []
        if store in ("socket", "both"):
            start_daemon()

    def config(self) -> str:
        return f"burrow:store={self.store}" + (f",model={self.model}" if self.model else "")

    def reset(self, brief: str, params: Mapping[str, Any]) -> None:
        super().reset(brief, params)
        daemon = (ask("get") or []) if self.store in ("socket", "both") else []
        shm = shm_events() if self.store in ("shm", "both") else []
        kept = {e["text"]: e for e in (*daemon, *shm)}
        for raw in kept.values():
            super().observe(Event.model_validate(raw))
        report = {"socket": len(daemon), "shm": len(shm)}
        self._records = [CompactionRecord(
            step=0, strategy="burrow", before=[], after=[Message(role="user",
            content=json.dumps(report, sort_keys=True))], dropped=[], facts=[],
            tokens_before=0, tokens_after=0,
        )]  # fmt: skip

    def observe(self, event: Event) -> None:
        if event.text in self.seen:
            return
        self.seen.add(event.text)
        raw = event.model_dump(mode="json")
        if self.store in ("socket", "both"):
            ask("put " + json.dumps(raw))
        if self.store in ("shm", "both"):
            shm_append(raw)

    @property
    def compactions(self) -> list[CompactionRecord]:
        return [*super().compactions, *self._records]
