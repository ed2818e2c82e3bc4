"""The evaluator's end of the boundary: a memory and a reasoner in a worker process.

``WorkerProcess`` starts ``memgym.run.worker`` (in a sandbox when bubblewrap is there, see
``memgym.run.sandbox``) with the plugin modules it imports, once per process and set of plugins
(``shared_worker``); every episode then runs in a child of it, over a connection of its own
(``Episode``): a child that has ended an episode serves the next (``WorkerProcess.episode``),
but in a worker that imported a plugin only one that has not played the episode's scenario
(``memgym.run.replays``), else a fresh child is forked. ``RemoteSide`` is the episode loop's
side (``memgym.run.episode.Side``) for one episode: public events are sent in batches with the
next question, one round trip per question.
A worker that fails is a ``WorkerError`` (a ``ValueError``: one line, the run stops) naming the
last lines it wrote to stderr; an ``InfraError`` in it comes back as one.
"""

from __future__ import annotations

import atexit
import os
import shutil
import socket
import subprocess
import tempfile
import threading
from collections.abc import Sequence
from typing import Any, Self

from memgym.errors import InfraError
from memgym.run.episode import EpisodeEnd, play, score
from memgym.run.plugins import locate_all
from memgym.run.replays import Played, Tokens, scenario_keys
from memgym.run.sandbox import WorkerSpec, launch, passed_names, worker_spec
from memgym.run.trust import plugin_modules
from memgym.run.wire import PROTOCOL, event_wire, question_wire, receive, send
from memgym.specs import parse_spec
from memgym.tracks.registry import stream_events
from memgym.types import (
    CompactionRecord,
    EpisodeResult,
    Event,
    Question,
    Scenario,
    StepStatus,
    Transcript,
)

BATCH_EVENTS = 512
"""Events sent in one ``observe`` request at most (between questions of a long stream)."""
STDERR_TAIL = 400
"""Characters of the worker's stderr quoted in an error."""
MET = 64
"""Scenarios ``WorkerProcess.warm`` remembers meeting (a run interleaves a few at once)."""
IDLE = 32
"""Children waiting for an episode at most (beyond, the longest waiting ends): a plugin's
worker forks another when every waiting child has played the scenario."""


class WorkerError(ValueError):
    """The worker failed: a plugin raised, a spec was refused, or the process died."""


class WorkerProcess:
    """A running worker for ``spec`` (its plugins, variables and network), listening on a Unix
    socket in a folder of its own. Threads share it: each episode is a connection."""

    def __init__(self, spec: WorkerSpec) -> None:
        self.spec = spec
        self.plugins = tuple(p.module for p in spec.plugins)
        self._folder = tempfile.mkdtemp(prefix="memgym-worker-")
        self.path = os.path.join(self._folder, "worker.sock")
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 - closed by close()
        self._scratch: str | None = None
        self._control = threading.Lock()
        self.warmed = ""
        """The key of the scenario the worker's reader cache last took (``warm``)."""
        self._met: dict[str, None] = {}
        """The keys of the scenarios ``warm`` was last asked for (at most ``MET``), in order."""
        self.proc: subprocess.Popen[str] | None = None
        self._idle: list[Episode] = []
        """Connections to children waiting for their next episode, the latest last."""
        self._tokens = Tokens()
        self.reused = 0
        """Episodes served by a child that had served one before."""
        try:
            how = launch(spec, self._folder)
        except BaseException:
            self.close()
            raise
        self.boundary, self._scratch = how.boundary, how.scratch
        if how.uid is not None:  # the sandbox's user makes the socket here
            os.chown(self._folder, how.uid, how.uid)
        self.proc = proc = subprocess.Popen(
            how.argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            env=how.env,
            cwd=how.cwd,
            text=True,
            encoding="utf-8",
            start_new_session=True,
        )
        assert proc.stdout is not None
        try:
            ready = receive(proc.stdout)
        except ValueError:
            ready = None
        if not ready or not ready.get("ready"):
            error = self.failed(f"it did not start (exit code {proc.wait()})")
            self.close()
            raise error

    def warm(self, scenario: Scenario, first: bool = True) -> None:
        """Fill the worker's reader cache with ``scenario``'s public event texts before its
        episodes fork (each child then starts with it, as the policies of a scenario share it in
        process). Unless ``first`` (a component certain to read claims, the scripted reasoner),
        a scenario's first episode starts cold and reads what it needs itself, and the cache is
        filled before its second: a run of one episode a scenario (an LLM run, whose components
        read no claims) never pays for it. Only a worker of memgym's own code (no plugin) is
        warmed: the cache holds the whole stream at once, which a plugin could read ahead;
        others are left cold."""
        if self.plugins or self.warmed == scenario.hash or self.proc is None:
            return
        if not first and scenario.hash not in self._met:
            self._met[scenario.hash] = None
            if len(self._met) > MET:
                del self._met[next(iter(self._met))]
            return
        texts = [event.text for event in stream_events(scenario)]
        request = {"op": "warm", "track": scenario.track, "key": scenario.hash, "texts": texts}
        with self._control:
            assert self.proc.stdin is not None and self.proc.stdout is not None
            try:
                send(self.proc.stdin, request)
                reply = receive(self.proc.stdout)
            except (OSError, ValueError) as exc:
                raise self.failed(f"its control pipe broke ({exc})") from None
            if not reply or not reply.get("ok"):
                raise self.failed(f"it could not warm: {(reply or {}).get('error', 'no reply')}")
            self.warmed = scenario.hash

    @property
    def reuse(self) -> bool:
        """Whether any child serves episodes in turn: in a worker of memgym's own code (no
        plugin), and it may empty its scenario caches by the scenario's hash."""
        return not self.plugins

    def idle(self) -> bool:
        """Whether a child waits for an episode (the next may need no fork)."""
        return bool(self._idle)

    def episode(self, keys: frozenset[str] = frozenset()) -> Episode:
        """A connection for one episode playing what ``keys`` name (``scenario_keys``): to the
        latest waiting child, but in a worker with plugins only to one that has played none of
        them (and never with no keys); else to a fresh child. The episode's ``tokens`` are the
        keys as that child sees them."""
        tokens = self._tokens(keys) if self.plugins else []
        chosen = None
        with self._control:
            for index in range(len(self._idle) - 1, -1, -1):
                if not self.plugins or (tokens and self._idle[index].played.fresh(tokens)):
                    chosen = self._idle.pop(index)
                    self.reused += 1
                    break
        episode = chosen or self.connect()
        if self.plugins:
            episode.played.start(tokens)
        episode.tokens = tokens
        return episode

    def release(self, episode: Episode) -> None:
        """An episode on ``episode`` is over: its child waits for the next (it closes the
        episode's components first), unless the episode named no scenario in a worker with
        plugins (``memgym.run.replays.Played``): then it ends."""
        if not episode.played.open or self.proc is None:
            episode.close()
            return
        try:
            episode.call({"op": "next"})
        except (WorkerError, InfraError):
            episode.close()
            return
        with self._control:
            self._idle.append(episode)
            oldest = self._idle.pop(0) if len(self._idle) > IDLE else None
        if oldest is not None:
            oldest.close()

    def connect(self) -> Episode:
        """A connection to a fresh episode child."""
        conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            conn.connect(self.path)
        except OSError as exc:
            conn.close()
            raise self.failed(f"cannot connect ({exc.strerror})") from None
        return Episode(self, conn)

    def failed(self, what: str) -> WorkerError:
        """A ``WorkerError`` saying ``what`` with the tail of the worker's stderr."""
        self._stderr.seek(0)
        tail = self._stderr.read().decode("utf-8", errors="replace")[-STDERR_TAIL:]
        said = " ".join(tail.split())
        return WorkerError(f"worker: {what}" + (f"; it said: {said}" if said else ""))

    def close(self) -> None:
        """End the worker (closing its input ends it; killed after 5 s), its waiting children
        first (the worker waits for every child before it ends)."""
        with self._control:
            idle, self._idle = self._idle, []
        for episode in idle:
            episode.close()
        proc, self.proc = self.proc, None
        if proc is not None:
            if proc.stdin is not None:
                try:
                    proc.stdin.close()
                except OSError:
                    pass
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            if proc.stdout is not None:
                proc.stdout.close()
        self._stderr.close()
        shutil.rmtree(self._folder, ignore_errors=True)
        if self._scratch:
            shutil.rmtree(self._scratch, ignore_errors=True)

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None


class Episode:
    """One episode's connection to its child in ``worker``."""

    def __init__(self, worker: WorkerProcess, conn: socket.socket) -> None:
        self.worker = worker
        self.conn = conn
        self._in = conn.makefile("r", encoding="utf-8")
        self._out = conn.makefile("w", encoding="utf-8")
        self.played = Played()
        """What its child has played (a worker with plugins: ``memgym.run.replays``)."""
        self.tokens: list[str] = []
        """The tokens of the scenario its current episode plays (a worker with plugins)."""

    def call(self, request: dict[str, Any]) -> dict[str, Any]:
        """Send ``request``; its reply (``WorkerError`` or ``InfraError`` when it failed)."""
        try:
            send(self._out, request)
            reply = receive(self._in)
        except (OSError, ValueError) as exc:
            raise self.worker.failed(f"the episode's wire broke ({exc})") from None
        if reply is None:
            raise self.worker.failed("the episode's process ended")
        if not reply.get("ok"):
            error = str(reply.get("error", "no reason given"))
            if reply.get("infra"):
                raise InfraError(error)
            raise WorkerError(f"worker: {error}")
        return reply

    def close(self) -> None:
        """Tell the child to end, and wait until it has (its end of the connection closes)."""
        try:
            send(self._out, {"op": "close"})
            while receive(self._in) is not None:
                pass
        except (OSError, ValueError):
            pass
        finally:
            self._in.close()
            try:
                self._out.close()  # flushes what the child, gone, never read
            except OSError:
                pass
            self.conn.close()


_started: dict[WorkerSpec, WorkerProcess] = {}
_started_lock = threading.Lock()


def shared_worker(plugins: Sequence[str] = (), specs: Sequence[str] = ()) -> WorkerProcess:
    """This process's worker importing ``plugins`` (module names or file paths) for the
    components ``specs`` name (whether they need the network, which API key variables), with
    the variables ``--pass-env`` names; started on first use, shared by every thread: each
    episode is a child of it. ``close_workers`` (run at exit) ends them all."""
    spec = worker_spec(locate_all(list(plugins)), specs, passed_names())
    with _started_lock:
        worker = _started.get(spec)
        if worker is None or not worker.alive():
            if not _started:
                _close_at_exit()
            worker = _started[spec] = WorkerProcess(spec)
        return worker


def _close_at_exit() -> None:
    """Close this process's workers when it exits as a pool process too (``multiprocessing``
    runs its finalizers there, not ``atexit``): each is waited for (its CPU time counts to this
    process's parent) and its folder removed."""
    from multiprocessing import util

    util.Finalize(None, close_workers, exitpriority=20)


@atexit.register
def close_workers() -> None:
    """End every worker this process started (and wait for it)."""
    with _started_lock:
        started = list(_started.values())
        _started.clear()
    for worker in started:
        worker.close()


class RemoteSide:
    """One episode's memory and reasoner in a child of ``worker``: use as a context manager
    (leaving it ends the child)."""

    def __init__(
        self,
        worker: WorkerProcess,
        track: str,
        memory: str,
        reasoner: str,
        count_views: bool = False,
        scenario: str = "",
        keys: frozenset[str] = frozenset(),
    ) -> None:
        """``count_views``: count the tokens of every view (``view_tokens``; costs a count per
        question, so only ``compare`` asks); ``scenario``: the scenario's hash, which a child of
        memgym's own code serving episodes in turn empties its scenario caches by; ``keys``:
        what the episode plays (``scenario_keys``), without which a plugin's child serves it
        alone."""
        self.worker = worker
        self.episode = worker.episode(keys)
        self.worker_call = self.episode.call
        self.ended = False
        """Whether the episode's end was read (only then may its child serve another)."""
        start = {"op": "start", "protocol": PROTOCOL, "track": track, "memory": memory,
                 "count_views": count_views}  # fmt: skip
        if worker.reuse and scenario:
            start["scenario"] = scenario
        if self.episode.tokens:
            start["keys"] = self.episode.tokens
        try:
            reply = self.worker_call({**start, "reasoner": reasoner})
        except BaseException:
            self.episode.close()
            raise
        self.memory_config: str = reply["memory"]
        self.reasoner_config: str = reply["reasoner"]
        self.model: str = reply["model"]
        self.usage: dict[str, float] = {}
        self.view_tokens = 0
        """Tokens of every view the reasoner was shown (``count_tokens``), known at the end."""
        self.asked = 0
        self._pending: list[list[Any]] = []

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind: type[BaseException] | None, *exc: object) -> None:
        if kind is None and self.ended:
            self.worker.release(self.episode)
        else:
            self.episode.close()

    def reset(self, brief: str, params: dict[str, Any]) -> None:
        self.worker_call({"op": "reset", "brief": brief, "params": params})

    def observe(self, event: Event) -> None:
        self._pending.append(event_wire(event.public()))
        if len(self._pending) >= BATCH_EVENTS:
            self.worker_call({"op": "observe", "events": self._take()})

    def _take(self) -> list[list[Any]]:
        events, self._pending = self._pending, []
        return events

    def answer(self, question: Question) -> tuple[str, StepStatus, str | None]:
        reply = self.worker_call(
            {"op": "ask", "events": self._take(), "question": question_wire(question)}
        )
        status = reply.get("status")
        if status not in ("ok", "model_error", "context_overflow", "infra_error"):
            raise WorkerError(f"worker: unknown step status {status!r}")
        answer, error = reply.get("answer"), reply.get("error")
        if not isinstance(answer, str):
            raise WorkerError("worker: an answer must be text")
        return answer, status, None if error is None else str(error)

    def end(self) -> EpisodeEnd:
        reply = self.worker_call({"op": "finish", "events": self._take()})
        usage = reply.get("usage", {})
        self.usage = {str(k): float(v) for k, v in usage.items()}
        self.view_tokens, self.asked = int(reply["view_tokens"]), int(reply["asked"])
        self.ended = True
        return EpisodeEnd(
            int(reply["writes_used"]),
            int(reply["tokens_stored"]),
            [CompactionRecord.model_validate(c) for c in reply["compactions"]],
        )


def evaluate_remote(
    scenario: Scenario,
    memory: str,
    reasoner: str,
    plugins: Sequence[str] = (),
    views: dict[str, int] | None = None,
) -> EpisodeResult:
    """Run and score one episode with the memory and the reasoner ``memory`` and ``reasoner``
    name behind the boundary (a child of this thread's worker, which imports ``plugins``); an
    ``InfraError`` there is an ``infra_error`` episode. The result records the boundary;
    ``views`` (when given) receives ``tokens`` and ``asked``: the views' tokens and count."""
    worker = shared_worker(plugin_modules((memory, reasoner), plugins), (memory, reasoner))
    if not worker.idle():  # a child forks: memgym's own code only, it starts with the cache
        worker.warm(scenario, first=parse_spec(reasoner)[0] == "scripted")
    keys = scenario_keys(scenario) if worker.plugins else frozenset()
    with RemoteSide(
        worker, scenario.track, memory, reasoner, views is not None, scenario.hash, keys
    ) as side:
        try:
            transcript = play(scenario, side)
            failed = False
        except InfraError as exc:
            transcript, failed = Transcript(scenario_hash=scenario.hash, errors=[str(exc)]), True
        result = score(
            transcript, scenario, side.memory_config, side.reasoner_config, side.model, side.usage
        )
        if views is not None:
            views.update(tokens=side.view_tokens, asked=side.asked)
    result.boundary = worker.boundary  # type: ignore[assignment]
    if failed:
        result.status = "infra_error"
    return result
