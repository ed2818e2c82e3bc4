"""The Ray executor: every episode is one Ray task; the driver stores each result the moment it
arrives, in its own transaction, exactly as the local executors do.

A task whose worker process dies (killed, out of memory, node lost) is re-run by Ray up to
``max_retries`` times; an exception raised by the episode itself is not retried and stops the run
(what finished is already stored). At most ``MAX_IN_FLIGHT`` tasks are submitted at a time, so the
work list is streamed; Ctrl-C cancels them and stops within a tick (``memgym.pool``). Results equal the local executor's for the same work: an
episode is a pure function of its work item.

Without ``address`` a private local Ray instance is started (``num_cpus`` of them, temp files
under ``/tmp/memgym-ray``) and shut down afterwards; ``address="auto"`` or ``"ray://host:10001"``
joins an existing cluster, which must have memgym installed on every node.
"""

from __future__ import annotations

import itertools
import os
import tempfile
from collections.abc import Callable, Iterable
from typing import Any

from memgym.extras import require
from memgym.pool import SigintFlag
from memgym.run.results import ResultsStore
from memgym.run.runner import Finished, Observer, run_item
from memgym.run.work import WorkItem
from memgym.types import EpisodeResult

MAX_RETRIES = 3
"""Re-runs of a task whose worker died, before the run fails."""
MAX_IN_FLIGHT = 256
"""Tasks submitted to Ray at a time (more are submitted as these finish)."""

Task = Callable[[WorkItem], EpisodeResult]


def _ray() -> Any:
    """The ``ray`` module, or a one-line error naming the extra to install."""
    return require("ray", "the Ray executor", "ray")


def temp_dir() -> str:
    """Where a local Ray instance keeps its sockets, logs and spill files (short: socket paths
    are limited to about 100 characters)."""
    return os.environ.get("MEMGYM_RAY_TMPDIR", os.path.join(tempfile.gettempdir(), "memgym-ray"))


def connect(address: str | None = None, num_cpus: int | None = None) -> bool:
    """Start (no ``address``) or join (``address``) Ray unless it is already initialised;
    True when this call did it (and the caller should shut it down)."""
    ray = _ray()
    if ray.is_initialized():
        return False
    if address is not None and num_cpus is not None:
        raise ValueError("--workers sets the CPUs of a local Ray instance; not with --address")
    options: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False}
    if address is None:  # "local": a new instance, even if `ray start` left one running here
        options.update(num_cpus=num_cpus, _temp_dir=temp_dir())
    try:
        ray.init(address=address or "local", **options)
    except ConnectionError as exc:
        raise ValueError(f"cannot reach the Ray cluster at {address}: {exc}") from None
    return True


def run_ray(
    items: Iterable[WorkItem],
    store: ResultsStore,
    run_id: int,
    address: str | None = None,
    num_cpus: int | None = None,
    observe: Observer | None = None,
    max_retries: int = MAX_RETRIES,
    task: Task = run_item,
    retries: int = 0,
    keep: bool = True,
    total: int | None = None,
    tick_s: float = 0.1,
) -> list[EpisodeResult]:
    """Run ``items`` as Ray tasks (one episode each) and store every result as it arrives under
    its item key. Returns the results in item order (nothing when not ``keep``). ``task`` is
    the per-item function (default ``run_item``, with ``retries`` for ``infra_error`` episodes;
    tests wrap it to inject faults)."""
    ray = _ray()
    out = Finished(items, store, run_id, keep, total)
    stream = out.items
    first = list(itertools.islice(stream, 1))
    if not first:  # nothing to do (a fully resumed run): do not start Ray for it
        return []
    work = itertools.chain(first, stream)
    started = connect(address, num_cpus)
    remote = ray.remote(num_cpus=1, max_retries=max_retries, retry_exceptions=False)(task)
    extra = (None, retries) if task is run_item else ()  # run_item(item, tally, retries)
    pending: dict[Any, WorkItem] = {}
    try:
        with SigintFlag() as interrupt:
            for item in itertools.islice(work, MAX_IN_FLIGHT):
                pending[remote.remote(item, *extra)] = item
            while pending:
                if interrupt.requested:
                    raise KeyboardInterrupt
                done, _ = ray.wait(list(pending), num_returns=1, timeout=tick_s)
                for ref in done:
                    item = pending.pop(ref)
                    result: EpisodeResult = ray.get(ref)
                    out.add(item, result)
                    for new in itertools.islice(work, 1):
                        pending[remote.remote(new, *extra)] = new
                    if observe:
                        observe(out.tally.snapshot())
        return out.in_order()
    finally:
        for ref in pending:
            ray.cancel(ref, force=True)
        if started:
            ray.shutdown()
