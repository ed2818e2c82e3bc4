"""Run work items and store each episode the moment it finishes.

Two executors. ``run_concurrent``: an asyncio loop runs up to ``concurrency`` episodes at once on a
thread pool (memories and reasoners are synchronous; LLM reasoners wait on the network, so threads
overlap them well) and writes every finished episode from the loop's thread, in its own
transaction, so a killed run keeps everything it finished. ``run_processes``: a process pool for
CPU-bound scripted episodes, one scenario (all its pairs) per task, written as each task returns.

An infrastructure failure that escapes an episode (an LLM memory's write path, say) is recorded as
an ``infra_error`` episode, excluded from scores, counted, and re-run by ``--resume``; any other
exception stops the run (what finished is already stored).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import groupby
from typing import Any

from memgym.errors import InfraError
from memgym.memory import make_memory
from memgym.reasoners import make_reasoner
from memgym.run.episode import model_id, run_episode, score
from memgym.run.results import ResultsStore
from memgym.run.usage import add_usage, component_usage
from memgym.run.work import WorkItem
from memgym.tracks import Track, get_track
from memgym.types import EpisodeResult, Scenario, Transcript


@dataclass
class Snapshot:
    """Where a run stands: episodes done (of ``total``), ``infra_error`` ones, LLM usage so far."""

    total: int
    done: int = 0
    infra: int = 0
    usage: dict[str, float] = field(default_factory=dict)


Observer = Callable[[Snapshot], None]


class Tally:
    """Usage of finished episodes plus live usage of running ones; shared with worker threads."""

    def __init__(self, total: int) -> None:
        self._lock = threading.Lock()
        self._live: dict[str, Callable[[], Mapping[str, float]]] = {}
        self._snapshot = Snapshot(total)

    def watch(self, key: str, source: Callable[[], Mapping[str, float]]) -> None:
        with self._lock:
            self._live[key] = source

    def finish(self, key: str, result: EpisodeResult) -> None:
        with self._lock:
            self._live.pop(key, None)
            s = self._snapshot
            s.done += 1
            s.infra += result.status == "infra_error"
            s.usage = add_usage([s.usage, result.usage])

    def snapshot(self) -> Snapshot:
        with self._lock:
            sources = list(self._live.values())
            s = self._snapshot
            now = Snapshot(s.total, s.done, s.infra, dict(s.usage))
        now.usage = add_usage([now.usage, *(source() for source in sources)])
        return now


_local = threading.local()


def _track(name: str) -> Track:
    """One track instance per thread: its read cache is not shared between threads."""
    tracks: dict[str, Track] = _local.__dict__.setdefault("tracks", {})
    if name not in tracks:
        tracks[name] = get_track(name)
    return tracks[name]


def run_item(item: WorkItem, tally: Tally | None = None) -> EpisodeResult:
    """Generate the item's scenario, run its episode and score it (in the calling thread)."""
    track = _track(item.track)
    scenario = track.generate(item.seed, item.tier, **dict(item.overrides))
    if track.interactive:
        return run_interactive_item(track, scenario, item)
    memory = make_memory(item.memory, track)
    reasoner = make_reasoner(item.reasoner, track)

    def usage() -> dict[str, float]:
        return add_usage([component_usage(memory), component_usage(reasoner)])

    if tally is not None:
        tally.watch(item.key, usage)
    try:
        try:
            transcript = run_episode(scenario, memory, reasoner)
            failed = False
        except InfraError as exc:
            transcript, failed = Transcript(scenario_hash=scenario.hash, errors=[str(exc)]), True
        spent = usage()
        result = score(
            transcript, scenario, memory.config(), reasoner.config(), model_id(reasoner), spent
        )
        if failed:
            result.status = "infra_error"
        if tally is not None:
            tally.watch(item.key, lambda: spent)
        return result
    finally:
        for component in (reasoner, memory):
            close = getattr(component, "close", None)
            if callable(close):
                close()


def run_interactive_item(track: Track, scenario: Scenario, item: WorkItem) -> EpisodeResult:
    """An interactive track's episode (``memgym.interactive``): an agent loop, not a stream.
    A world that cannot even start (``InfraError``) is an ``infra_error`` episode."""
    from memgym.interactive.agents import make_agent
    from memgym.interactive.episode import evaluate_interactive

    agent = make_agent(item.reasoner, track)
    try:
        return evaluate_interactive(track, scenario, item.memory, agent)  # type: ignore[arg-type]
    except InfraError as exc:
        transcript = Transcript(scenario_hash=scenario.hash, errors=[str(exc)])
        result = score(transcript, scenario, item.memory, agent.config(), agent.model_id())
        result.status = "infra_error"
        return result


def run_concurrent(
    items: Sequence[WorkItem],
    store: ResultsStore,
    run_id: int,
    concurrency: int = 1,
    observe: Observer | None = None,
    tick_s: float = 0.25,
) -> list[EpisodeResult]:
    """Run ``items`` with up to ``concurrency`` episodes at once; each finished episode is
    stored at once under its item key. Returns the results in item order."""
    if concurrency < 1:
        raise ValueError(f"concurrency must be at least 1, got {concurrency}")
    return asyncio.run(_run(list(items), store, run_id, concurrency, observe, tick_s))


async def _run(
    items: list[WorkItem],
    store: ResultsStore,
    run_id: int,
    concurrency: int,
    observe: Observer | None,
    tick_s: float,
) -> list[EpisodeResult]:
    loop = asyncio.get_running_loop()
    tally = Tally(len(items))
    results: dict[str, EpisodeResult] = {}
    with ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="memgym-episode") as pool:

        async def one(item: WorkItem) -> tuple[WorkItem, EpisodeResult]:
            return item, await loop.run_in_executor(pool, run_item, item, tally)

        tasks = [asyncio.create_task(one(item)) for item in items]
        ticker = asyncio.create_task(_tick(tally, observe, tick_s)) if observe else None
        try:
            for next_done in asyncio.as_completed(tasks):
                item, result = await next_done
                store.add_episode(run_id, result, item.key)
                results[item.key] = result
                tally.finish(item.key, result)
                if observe:
                    observe(tally.snapshot())
        finally:
            for task in (*tasks, *([ticker] if ticker else [])):
                task.cancel()
    return [results[item.key] for item in items]


async def _tick(tally: Tally, observe: Observer, every_s: float) -> None:
    """Report live usage while episodes run."""
    while True:
        await asyncio.sleep(every_s)
        observe(tally.snapshot())


def _run_group(items: Sequence[WorkItem]) -> list[EpisodeResult]:
    """Every item of one scenario, in a pool process."""
    return [run_item(item) for item in items]


def run_processes(
    items: Sequence[WorkItem],
    store: ResultsStore,
    run_id: int,
    workers: int,
    observe: Observer | None = None,
) -> list[EpisodeResult]:
    """Run ``items`` on ``workers`` processes, one scenario's items per task (in item order);
    each task's episodes are stored as it returns. Returns the results in item order."""
    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    groups = [list(g) for _, g in groupby(items, key=_scenario_of)]
    tally = Tally(len(items))
    results: dict[str, EpisodeResult] = {}
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for group, done in zip(groups, pool.map(_run_group, groups), strict=True):
            for item, result in zip(group, done, strict=True):
                store.add_episode(run_id, result, item.key)
                results[item.key] = result
                tally.finish(item.key, result)
            if observe:
                observe(tally.snapshot())
    return [results[item.key] for item in items]


def _scenario_of(item: WorkItem) -> tuple[Any, ...]:
    return (item.track, item.tier, item.seed, item.overrides)
