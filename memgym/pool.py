"""Run tasks on workers and hand their results back as they finish, in a way Ctrl-C can stop.

``finished(tasks, fn, workers)`` feeds at most ``2 * workers`` tasks at a time (so a work list of
any length is streamed, never listed) to daemon threads, or to a process pool, and yields each
``(task, result)`` to the calling thread as it arrives. The caller stores it there: a result
handed over is never lost to an interrupt.

On SIGINT (Ctrl-C) the first time, nothing new starts: the results that already arrived are
handed over, queued tasks are dropped, running ones are abandoned (threads are daemons; pool
processes are terminated) and ``KeyboardInterrupt`` is raised, within ``tick_s`` of the signal.
A second Ctrl-C raises at once. Worker processes ignore SIGINT, so a terminal's Ctrl-C (sent to
the whole process group) reaches only this loop, and take SIGTERM's default action, so stopping
them ends them even where the parent installed a SIGTERM handler that forked workers would
inherit (``ray.init`` does, and keeps it after ``ray.shutdown``). An exception raised by ``fn``
stops the loop the same way and is raised here.
"""

from __future__ import annotations

import itertools
import queue
import signal
import threading
from collections.abc import Callable, Iterable, Iterator
from types import FrameType
from typing import Any, Self, TypeVar

T = TypeVar("T")
R = TypeVar("R")

_DONE = object()
_ACTIVE: list[SigintFlag] = []


def interrupt_requested() -> bool:
    """Whether Ctrl-C was pressed while a ``SigintFlag`` block is active: a caller storing a
    long batch of results checks it between items, to stop at once."""
    return any(flag.requested for flag in _ACTIVE)


class SigintFlag:
    """SIGINT as a flag for the duration of a ``with`` block (main thread only; elsewhere, and
    when SIGINT was ignored, nothing changes). The second signal raises ``KeyboardInterrupt``."""

    def __init__(self) -> None:
        self.requested = False
        self._before: Any = None

    def __enter__(self) -> Self:
        _ACTIVE.append(self)
        if threading.current_thread() is threading.main_thread():
            before = signal.getsignal(signal.SIGINT)
            if before is not signal.SIG_IGN:
                self._before = before
                signal.signal(signal.SIGINT, self._handle)
        return self

    def _handle(self, _signum: int, _frame: FrameType | None) -> None:
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True

    def __exit__(self, *exc: object) -> None:
        _ACTIVE.remove(self)
        if self._before is not None:
            signal.signal(signal.SIGINT, self._before)


def worker_signals() -> None:
    """Pool process initializer: Ctrl-C is the parent's to handle, and SIGTERM (what stopping
    the pool sends) ends the worker whatever handler it inherited from a forking parent."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def finished(
    tasks: Iterable[T],
    fn: Callable[[T], R],
    workers: int = 1,
    *,
    processes: bool = False,
    start_method: str | None = None,
    ordered: bool = False,
    tick_s: float = 0.1,
    on_tick: Callable[[], None] | None = None,
) -> Iterator[tuple[T, R]]:
    """``(task, fn(task))`` for every task, as each finishes (or in task order with ``ordered``),
    run on ``workers`` daemon threads or, with ``processes``, worker processes (``fn`` and the
    tasks must then pickle; ``start_method`` picks fork or spawn). ``on_tick`` is called about
    every ``tick_s`` seconds while waiting (live progress)."""
    if not isinstance(workers, int) or workers < 1:
        raise ValueError(f"workers must be a positive integer, got {workers!r}")
    outbox: queue.SimpleQueue[tuple[int, Any, bool]] = queue.SimpleQueue()
    submit, stop = (
        _process_pool(fn, workers, outbox, start_method)
        if processes
        else _thread_pool(fn, workers, outbox)
    )
    numbered = enumerate(iter(tasks))
    pending: dict[int, T] = {}
    held: dict[int, tuple[T, R]] = {}
    next_out = 0
    try:
        with SigintFlag() as interrupt:
            for index, task in itertools.islice(numbered, 2 * workers):
                pending[index] = task
                submit(index, task)
            while pending:
                if interrupt.requested:
                    raise KeyboardInterrupt
                try:
                    index, value, ok = outbox.get(timeout=tick_s)
                except queue.Empty:
                    if on_tick is not None:
                        on_tick()
                    continue
                task = pending.pop(index)
                if not ok:
                    raise value
                for new_index, new_task in itertools.islice(numbered, 1):
                    pending[new_index] = new_task
                    submit(new_index, new_task)
                if not ordered:
                    yield task, value
                    continue
                held[index] = (task, value)
                while next_out in held:
                    yield held.pop(next_out)
                    next_out += 1
        stop(True)  # every task done: the processes end as they would alone (their exit hooks run)
    except KeyboardInterrupt:
        # Hand over what already arrived (in ordered mode, the in-order part of it).
        while True:
            try:
                index, value, ok = outbox.get_nowait()
            except queue.Empty:
                break
            if ok and index in pending:
                held[index] = (pending.pop(index), value)
        if not ordered:
            stop()
            yield from list(held.values())
        else:
            stop()
            while next_out in held:
                yield held.pop(next_out)
                next_out += 1
        raise
    finally:
        stop()


def _thread_pool(
    fn: Callable[[Any], Any], workers: int, outbox: queue.SimpleQueue[tuple[int, Any, bool]]
) -> tuple[Callable[[int, Any], None], Callable[..., None]]:
    """(submit, stop) over ``workers`` daemon threads; stopped threads take no new task."""
    inbox: queue.SimpleQueue[Any] = queue.SimpleQueue()
    stopped = threading.Event()

    def work() -> None:
        while True:
            item = inbox.get()
            if item is _DONE or stopped.is_set():
                return
            index, task = item
            try:
                outbox.put((index, fn(task), True))
            except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread
                outbox.put((index, exc, False))

    threads = [
        threading.Thread(target=work, name=f"memgym-worker-{i}", daemon=True)
        for i in range(workers)
    ]
    for thread in threads:
        thread.start()

    def stop(drain: bool = False) -> None:
        if not stopped.is_set():
            stopped.set()
            for _ in threads:
                inbox.put(_DONE)

    return (lambda index, task: inbox.put((index, task))), stop


def _process_pool(
    fn: Callable[[Any], Any],
    workers: int,
    outbox: queue.SimpleQueue[tuple[int, Any, bool]],
    start_method: str | None,
) -> tuple[Callable[[int, Any], None], Callable[..., None]]:
    """(submit, stop) over a ``multiprocessing`` pool whose processes ignore SIGINT and die on
    SIGTERM; stop terminates them (a running task is abandoned)."""
    import multiprocessing

    context = multiprocessing.get_context(start_method)
    pool = context.Pool(workers, initializer=worker_signals)
    closed = False

    def submit(index: int, task: Any) -> None:
        pool.apply_async(
            fn,
            (task,),
            callback=lambda value: outbox.put((index, value, True)),
            error_callback=lambda exc: outbox.put((index, exc, False)),
        )

    def stop(drain: bool = False) -> None:
        """Terminate the processes; ``drain`` (every task done): let them exit by themselves,
        running their exit hooks (a trust-boundary worker they started is then waited for)."""
        nonlocal closed
        if not closed:
            closed = True
            if drain:
                pool.close()
            else:
                pool.terminate()
            pool.join()

    return submit, stop
