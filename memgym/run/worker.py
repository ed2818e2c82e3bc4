"""The worker: evaluated code (a memory and a reasoner, plugins included) in its own process.

``python -m memgym.run.worker SOCKET PLUGIN...`` imports the plugin modules (their
``@register_memory``/``@register_reasoner`` run here, never in the evaluator) and memgym once,
then listens on a Unix socket: every connection is served by a child forked for it, which builds
the memory and the reasoner from the ``start`` request's specs and answers every request until
``next`` (it closes them and serves the connection's next episode) or ``close`` (it exits: the
evaluator sees the connection end). Episodes thus start in milliseconds, run side by side for a
concurrent run, and in the sandbox each child gets an empty scratch and tmp of its own
(``memgym.run.episode_scratch``) and PID, IPC and network namespaces of its own, so nothing it
starts outlives it (``memgym.run.episode_namespaces``); a child is not dumpable, so its siblings
cannot read it. A
child serving episodes in turn pays no fork and no copy-on-write of the worker's pages each. In
a worker with plugins a child serves another episode only if it plays no scenario the child has
played (the keys each ``start`` carries: ``memgym.run.replays``; one without keys is its
process's last), and first empties its scratch and tmp: a plugin may learn across scenarios,
never meet one twice. Requests and replies are one JSON object a line (``memgym.run.wire``).

A child only ever receives public data: the brief, the track params, public events and public
questions. It holds no scenario and no gold, so reading its own frames, its garbage collector or
memgym's module globals finds none; the evaluator's process is not visible to it
(``memgym.run.sandbox``). Plugin code that prints cannot corrupt the wire: stdout is stderr here,
the wire has a descriptor of its own.
"""

from __future__ import annotations

import ctypes
import gc
import importlib
import json
import os
import select
import socket
import sys
from functools import cache
from typing import IO, Any, NoReturn

from memgym.caches import next_scenario
from memgym.errors import ContextOverflow, InfraError, ModelError
from memgym.llm.usage import add_usage, component_usage
from memgym.memory import make_memory
from memgym.memory.base import Memory
from memgym.reasoners import make_reasoner
from memgym.reasoners.base import Reasoner
from memgym.run.episode import model_id
from memgym.run.episode_namespaces import landlock_abi, own_pid_namespace
from memgym.run.episode_scratch import LIBC, fresh_folders, wipe_folders
from memgym.run.preload import preload
from memgym.run.replays import Played
from memgym.run.wire import PROTOCOL, event_from_wire, question_from_wire, receive, send
from memgym.run.worker_history import HistoryOps
from memgym.tokens import count_tokens
from memgym.tracks import Track, get_track


class Worker(HistoryOps):
    """One episode's memory and reasoner (or, on an interactive track, its history memory:
    ``memgym.run.worker_history``), driven by requests."""

    def __init__(self, played: Played | None = None) -> None:
        """``played``: what this process has played (a worker with plugins only)."""
        self.played = played
        self.memory: Memory | None = None
        self.reasoner: Reasoner | None = None
        self.view_tokens = 0
        self.asked = 0
        self.count_views = False

    def handle(self, request: dict[str, Any]) -> dict[str, Any]:
        op = request.get("op")
        handler = getattr(self, f"op_{op}", None) if isinstance(op, str) else None
        if handler is None:
            raise ValueError(f"worker: unknown request {op!r}")
        return handler(request)  # type: ignore[no-any-return]

    def op_start(self, request: dict[str, Any]) -> dict[str, Any]:
        if request.get("protocol") != PROTOCOL:
            raise ValueError(f"worker: protocol {request.get('protocol')!r}, expected {PROTOCOL}")
        self.count_views = bool(request.get("count_views"))
        if self.played is not None:  # a plugin's process: never a scenario it has played
            keys = request.get("keys")
            self.played.start(keys)
            if keys:
                next_scenario(str(keys[0]))  # memgym's scenario caches stay one scenario's
        elif request.get("scenario"):  # a process of memgym's own code serving episodes in turn
            next_scenario(str(request["scenario"]))
        track = shared_track(request["track"])
        self.memory = make_memory(request["memory"], track)
        self.reasoner = make_reasoner(request["reasoner"], track)
        return {
            "memory": self.memory.config(),
            "reasoner": self.reasoner.config(),
            "model": model_id(self.reasoner),
        }

    def parts(self) -> tuple[Memory, Reasoner]:
        if self.memory is None or self.reasoner is None:
            raise ValueError("worker: start first")
        return self.memory, self.reasoner

    def op_reset(self, request: dict[str, Any]) -> dict[str, Any]:
        memory, reasoner = self.parts()
        memory.reset(request["brief"], request["params"])
        reasoner.reset(request["brief"], request["params"])
        return {}

    def observe(self, events: list[Any]) -> None:
        memory, _ = self.parts()
        for raw in events:
            memory.observe(event_from_wire(raw))

    def op_observe(self, request: dict[str, Any]) -> dict[str, Any]:
        self.observe(request["events"])
        return {}

    def op_ask(self, request: dict[str, Any]) -> dict[str, Any]:
        memory, reasoner = self.parts()
        self.observe(request["events"])
        question = question_from_wire(request["question"])
        view = memory.recall(question)
        self.asked += 1
        if self.count_views:
            self.view_tokens += count_tokens(view.text())
        status, error, text = "ok", None, ""
        try:
            text = reasoner.answer(question, view)
        except ContextOverflow as exc:
            status, error = "context_overflow", str(exc)
        except ModelError as exc:
            status, error = "model_error", str(exc)
        except InfraError as exc:
            status, error = "infra_error", str(exc)
        if not isinstance(text, str):
            raise TypeError(f"worker: the reasoner answered a {type(text).__name__}, not text")
        return {"answer": text, "status": status, "error": error}

    def op_finish(self, request: dict[str, Any]) -> dict[str, Any]:
        memory, reasoner = self.parts()
        self.observe(request["events"])
        return {
            "writes_used": int(memory.writes_used),
            "tokens_stored": int(memory.tokens_stored),
            "compactions": [c.model_dump(mode="json") for c in memory.compactions],
            "usage": add_usage([component_usage(memory), component_usage(reasoner)]),
            "view_tokens": self.view_tokens,
            "asked": self.asked,
        }

    def close(self) -> None:
        for component in (self.reasoner, self.memory):
            close = getattr(component, "close", None)
            if callable(close):
                close()


def reply_to(worker: Worker | Control, request: dict[str, Any]) -> dict[str, Any]:
    """The reply to one request; an exception is an error reply (``infra``: an ``InfraError``,
    which the evaluator marks ``infra_error``)."""
    try:
        return {"ok": True, **worker.handle(request)}
    except InfraError as exc:
        return {"ok": False, "infra": True, "error": f"{type(exc).__name__}: {exc}"}
    except BaseException as exc:  # noqa: BLE001 - every failure, SystemExit too, is a reply
        return {"ok": False, "infra": False, "error": f"{type(exc).__name__}: {exc}"}


def serve_episode(requests: IO[str], replies: IO[str]) -> None:
    """Episodes on one connection, each from its ``start`` request to ``next`` (its components
    closed, another episode follows in this process) or ``close`` (or the end of input). In a
    worker with plugins, which could keep what an episode saw in its module's globals or its
    files, each ``start`` names what it plays (``memgym.run.replays.Played`` refuses a repeat),
    and a ``next`` is served only after an episode that named it and once the scratch and tmp
    are empty again (``wipe_folders``, in the sandbox); else the child ends."""
    played = Played() if Control.plugins else None
    while True:
        worker, request = Worker(played), None
        try:
            while (request := receive(requests)) is not None and request.get("op") not in ENDS:
                send(replies, reply_to(worker, request))
        finally:
            worker.close()
        if request is None or request.get("op") == "close":
            return
        if played is not None and not (played.open and (not Control.fresh or wipe_folders())):
            send(replies, {"ok": False, "infra": False, "error": ONE_EPISODE})
            return
        send(replies, {"ok": True})


ENDS = ("close", "next")
"""The requests that end an episode: ``close`` ends its process too, ``next`` does not."""
ONE_EPISODE = "worker: this plugin's process serves no further episode"


def episode_child(conn: socket.socket) -> NoReturn:
    """In a forked child: serve the episodes on ``conn`` (``serve_episode``), then exit. The
    child cannot be read or traced by its siblings (not dumpable: they run as the same user,
    without capabilities). In the sandbox (``Control.fresh``) it first gets an empty scratch and
    tmp of its own (``memgym.run.episode_scratch``) and continues as PID 1 of PID, IPC (and,
    without ``Control.network``, network) namespaces of its own, so that nothing it starts
    outlives it (``memgym.run.episode_namespaces``); a failure there is one line on stderr."""
    code = 0
    try:
        if Control.fresh:
            try:
                fresh_folders(Control.fresh)
                own_pid_namespace(Control.network)
            except OSError as exc:
                print(f"worker: {exc}", file=sys.stderr, flush=True)
                raise
        _not_dumpable()
        with (
            conn.makefile("r", encoding="utf-8") as requests,
            conn.makefile("w", encoding="utf-8") as replies,
        ):
            serve_episode(requests, replies)
    except BaseException:  # noqa: BLE001 - the evaluator sees the connection close
        code = 1
    finally:
        os._exit(code)


def _not_dumpable() -> None:
    """``prctl(PR_SET_DUMPABLE, 0)``: no other process of this user may read this one's memory
    or environment under ``/proc``, or trace it."""
    if LIBC.prctl(4, 0, 0, 0, 0) != 0:  # PR_SET_DUMPABLE = 4
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_DUMPABLE, 0) failed")


def serve(listener: socket.socket, control: IO[str], replies: IO[str] | None = None) -> None:
    """Accept one connection per episode and fork a child for it, until ``control`` (the
    evaluator's pipe) ends; finished children are reaped as they go. A line on ``control`` is a
    request to this process itself (``warm``), answered on ``replies``."""
    watched: list[Any] = [listener, control]
    while True:
        ready, _, _ = select.select(watched, [], [])
        if control in ready:
            line = control.readline()
            if not line:
                _reap(block=True)  # every child waited for: its CPU counts as this process's
                return
            if replies is not None:
                send(replies, reply_to(Control(), json.loads(line)))
        if listener in ready:
            conn, _ = listener.accept()
            if os.fork() == 0:
                listener.close()
                episode_child(conn)
            conn.close()
        _reap()


class Control:
    """The requests the worker's own process answers (not an episode's child)."""

    plugins: tuple[str, ...] = ()
    """The plugin modules this worker imported: with any, it warms nothing and a child serves
    episodes in turn only while no scenario repeats in it."""
    fresh: tuple[str, ...] = ()
    """In the sandbox (``--fresh``): the folders each episode child hides (the socket's), after
    giving itself an empty scratch and tmp; empty for a plain worker, whose children share its."""
    network: bool = False
    """Whether a component may call an LLM endpoint (``--preload``): the episode children then
    share the worker's network namespace (else each has one of its own, with no interface)."""

    def handle(self, request: dict[str, Any]) -> dict[str, Any]:
        if request.get("op") != "warm":
            raise ValueError(f"worker: unknown control request {request.get('op')!r}")
        return warm(str(request["track"]), str(request["key"]), request["texts"])


def warm(track_name: str, key: str, texts: list[str]) -> dict[str, Any]:
    """Read ``texts`` (a scenario's public event texts) into this process's track reader cache
    before the scenario's episode children fork, so they share it as the policies of a scenario
    share it in process. Only a worker of memgym's own code warms: the cache holds every event
    of the stream at once, which a plugin could read ahead of its stream (``ValueError``)."""
    if Control.plugins:
        raise ValueError("worker: a worker with plugins is never warmed (they could read ahead)")
    next_scenario(key)
    track = shared_track(track_name)
    for text in texts:
        track.read_cached(text)
    gc.freeze()  # the cache stays put: a child's collections never copy its pages
    return {"warmed": len(texts)}


@cache
def shared_track(name: str) -> Track:
    """One track instance per worker process (inherited by its children), whose reader cache
    ``warm`` fills."""
    return get_track(name)


def _reap(block: bool = False) -> None:
    """Wait for finished children (all of them, ``block``: until none is left)."""
    try:
        while os.waitpid(-1, 0 if block else os.WNOHANG)[0]:
            pass
    except ChildProcessError:
        pass


def main() -> None:
    """``python -m memgym.run.worker SOCKET [--fresh] [--preload] PLUGIN...``: give each
    episode child a scratch of its own (``--fresh``: in the sandbox), preload the LLM client
    (``--preload``: only a worker whose components may reach an endpoint), import the plugins,
    listen on the Unix socket ``SOCKET``, say ``ready`` on stdout and serve until stdin ends
    (or answer a line on it: ``Control``). What plugin code prints goes to stderr."""
    ready = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    path, *plugins = sys.argv[1:]
    if plugins[:1] == ["--fresh"]:  # sandboxed: every child gets a scratch of its own
        plugins = plugins[1:]
        Control.fresh = (os.path.dirname(path),)
        _not_dumpable()  # no child opens /proc/1/root, where this process's scratch is
    if plugins[:1] == ["--preload"]:  # a component may call an LLM endpoint
        plugins = plugins[1:]
        Control.network = True
        landlock_abi()  # asked once, before any child forks
        preload()
    Control.plugins = tuple(plugins)
    for module in plugins:
        importlib.import_module(module)
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as listener:
        listener.bind(path)
        listener.listen(64)
        gc.freeze()  # what is loaded stays put: a child's collections never copy its pages
        send(ready, {"ready": True})
        serve(listener, sys.stdin, ready)


if __name__ == "__main__":
    main()
