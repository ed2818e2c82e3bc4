"""The Ray executor: every episode is one Ray task; the driver stores each result the moment it
arrives, in its own transaction, exactly as the local executors do.

A task whose worker process dies (killed, out of memory, node lost) is re-run by Ray up to
``max_retries`` times; an exception raised by the episode itself is not retried and stops the run
(what finished is already stored). Results equal the local executor's for the same work: an
episode is a pure function of its work item.

Without ``address`` a private local Ray instance is started (``num_cpus`` of them, temp files
under ``/tmp/memgym-ray``) and shut down afterwards; ``address="auto"`` or ``"ray://host:10001"``
joins an existing cluster, which must have memgym installed on every node.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Sequence
from typing import Any

from memgym.run.results import ResultsStore
from memgym.run.runner import Observer, Tally, run_item
from memgym.run.work import WorkItem
from memgym.types import EpisodeResult

MAX_RETRIES = 3
"""Re-runs of a task whose worker died, before the run fails."""

Task = Callable[[WorkItem], EpisodeResult]


def _ray() -> Any:
    """The ``ray`` module, or a one-line error naming the extra to install."""
    try:
        import ray
    except ImportError:
        raise ValueError(
            "the Ray executor needs ray: pip install 'memgym[ray]'"
        ) from None
    return ray


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
    items: Sequence[WorkItem],
    store: ResultsStore,
    run_id: int,
    address: str | None = None,
    num_cpus: int | None = None,
    observe: Observer | None = None,
    max_retries: int = MAX_RETRIES,
    task: Task = run_item,
) -> list[EpisodeResult]:
    """Run ``items`` as Ray tasks (one episode each) and store every result as it arrives under
    its item key. Returns the results in item order. ``task`` is the per-item function (default
    ``run_item``; tests wrap it to inject faults)."""
    ray = _ray()
    if not items:  # nothing to do (a fully resumed run): do not start Ray for it
        return []
    started = connect(address, num_cpus)
    remote = ray.remote(num_cpus=1, max_retries=max_retries, retry_exceptions=False)(task)
    pending: dict[Any, WorkItem] = {}
    try:
        pending = {remote.remote(item): item for item in items}
        tally = Tally(len(items))
        results: dict[str, EpisodeResult] = {}
        waiting = list(pending)
        while waiting:
            done, waiting = ray.wait(waiting, num_returns=1)
            for ref in done:
                item = pending.pop(ref)
                result: EpisodeResult = ray.get(ref)
                store.add_episode(run_id, result, item.key)
                results[item.key] = result
                tally.finish(item.key, result)
                if observe:
                    observe(tally.snapshot())
        return [results[item.key] for item in items]
    finally:
        for ref in pending:
            ray.cancel(ref, force=True)
        if started:
            ray.shutdown()
