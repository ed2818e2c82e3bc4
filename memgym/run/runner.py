"""Run work items and store each episode the moment it finishes.

Two executors, both on ``memgym.pool.finished`` (streamed work, Ctrl-C stops at once):
``run_concurrent`` runs up to ``concurrency`` episodes at once on threads (memories and reasoners
are synchronous; LLM reasoners wait on the network, so threads overlap them well);
``run_processes`` runs CPU-bound scripted episodes on worker processes, one scenario (all its
pairs) per task. Either way every finished episode is written from the calling thread, in its own
transaction, so an interrupted or killed run keeps everything it finished.

An episode that ends ``infra_error`` (a step's LLM call failed after the client's retries, or an
infrastructure failure escaped the episode, e.g. from an LLM memory's write path) is run again, up
to ``retries`` more times; the usage of every attempt is added up. One still failing is stored as
``infra_error``: excluded from scores, counted, marking its run incomplete, and re-run by
``--resume``. Any other exception stops the run (what finished is already stored).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sized
from dataclasses import dataclass, field
from functools import partial
from itertools import groupby
from typing import Any

from memgym.caches import next_scenario
from memgym.errors import InfraError
from memgym.extras import MissingExtra
from memgym.llm.usage import add_usage, component_usage, retried
from memgym.memory import make_memory
from memgym.pool import finished
from memgym.reasoners import make_reasoner
from memgym.run.episode import model_id, run_episode, score, untouched
from memgym.run.remote import evaluate_remote
from memgym.run.results import ResultsStore
from memgym.run.trust import in_process
from memgym.run.work import WorkItem
from memgym.salt import evaluation_seed, stamp_seed
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


class LatestSpend:
    """The latest LLM spend an interactive session reported: ``set`` by the session after each
    turn, read by calling it (a ``Tally`` source)."""

    def __init__(self) -> None:
        self._usage: Mapping[str, float] = {}

    def set(self, usage: Mapping[str, float]) -> None:
        self._usage = usage

    def __call__(self) -> Mapping[str, float]:
        return self._usage


_local = threading.local()


def _track(name: str) -> Track:
    """One track instance per thread: its read cache is not shared between threads."""
    tracks: dict[str, Track] = _local.__dict__.setdefault("tracks", {})
    if name not in tracks:
        tracks[name] = get_track(name)
    return tracks[name]


def run_item(item: WorkItem, tally: Tally | None = None, retries: int = 0) -> EpisodeResult:
    """Generate the item's scenario, run its episode and score it (in the calling thread); an
    ``infra_error`` episode is run again up to ``retries`` times, the usage of every attempt
    added to the result's (``episode_retries`` counts the extra attempts)."""
    return retried(lambda: _run_once(item, tally), retries)


def _run_once(item: WorkItem, tally: Tally | None) -> EpisodeResult:
    track = _track(item.track)
    scenario = track.generate(
        evaluation_seed(track.name, item.seed), item.tier, **dict(item.overrides)
    )  # the public seed itself when unsalted
    if track.interactive:
        return stamp_seed(run_interactive_item(track, scenario, item, tally), item.seed)
    next_scenario(scenario.hash)
    if in_process(item.memory, item.reasoner, track, item.isolate):
        result = _run_local(item, track, scenario, tally)
    else:
        result = evaluate_remote(scenario, item.memory, item.reasoner, item.plugins)
    return untouched(stamp_seed(result, item.seed), scenario)


def _run_local(
    item: WorkItem, track: Track, scenario: Scenario, tally: Tally | None
) -> EpisodeResult:
    try:
        memory = make_memory(item.memory, track)
        reasoner = make_reasoner(item.reasoner, track)
    except MissingExtra as exc:  # e.g. a Ray worker without the extra the driver has
        return failed_item(scenario, item, exc)

    def usage() -> dict[str, float]:
        return add_usage([component_usage(memory), component_usage(reasoner)])

    if tally is not None:
        tally.watch(item.key, usage)
    try:
        try:
            transcript = run_episode(scenario, memory, reasoner)
            failed = False
        except (InfraError, MissingExtra) as exc:
            transcript, failed = Transcript(scenario_hash=scenario.hash, errors=[str(exc)]), True
        spent = usage()
        result = score(
            transcript, scenario, memory.config(), reasoner.config(), model_id(reasoner), spent
        )
        if failed:
            result.status, result.reason = "infra_error", transcript.errors[0]
        if tally is not None:
            tally.watch(item.key, lambda: spent)
        return result
    finally:
        for component in (reasoner, memory):
            close = getattr(component, "close", None)
            if callable(close):
                close()


def run_interactive_item(
    track: Track, scenario: Scenario, item: WorkItem, tally: Tally | None = None
) -> EpisodeResult:
    """An interactive track's episode (``memgym.interactive``): an agent loop, not a stream,
    its history compacted in process or, for a memory that is not memgym's own (or any with
    ``isolate``), behind the trust boundary (``memgym.run.remote_history``). A world that
    cannot even start (``InfraError``) is an ``infra_error`` episode. ``tally`` sees the
    agent's LLM spend after every turn (a session's calls show in the progress while it runs)."""
    from memgym.interactive.episode import evaluate_interactive
    from memgym.interactive.registry import make_agent
    from memgym.run.remote_history import Histories

    try:
        agent = make_agent(item.reasoner, track)
    except MissingExtra as exc:
        return failed_item(scenario, item, exc)
    try:
        histories = Histories(item.isolate, item.plugins)
        spent = LatestSpend()
        if tally is not None:
            tally.watch(item.key, spent)
        return evaluate_interactive(
            track,  # type: ignore[arg-type]
            scenario,
            item.memory,
            agent,
            histories=histories,
            on_spend=spent.set,
        )
    except (InfraError, MissingExtra) as exc:
        transcript = Transcript(scenario_hash=scenario.hash, errors=[str(exc)])
        result = score(transcript, scenario, item.memory, agent.config(), agent.model_id())
        result.status, result.reason = "infra_error", str(exc)
        return result


def failed_item(scenario: Scenario, item: WorkItem, exc: Exception) -> EpisodeResult:
    """An ``infra_error`` episode that could not start, ``exc``'s line as its reason."""
    transcript = Transcript(scenario_hash=scenario.hash, errors=[str(exc)])
    result = score(transcript, scenario, item.memory, item.reasoner, "unknown")
    result.status, result.reason = "infra_error", str(exc)
    return result


def item_count(items: Iterable[WorkItem], total: int | None) -> int:
    if total is not None:
        return total
    return len(items) if isinstance(items, Sized) else 0


def noting_keys(items: Iterable[WorkItem], keys: list[str] | None) -> Iterator[WorkItem]:
    """``items``, noting each key in ``keys`` (when kept) as it is handed out."""
    for item in items:
        if keys is not None:
            keys.append(item.key)
        yield item


class Finished:
    """Where a run's finished episodes go: each stored at once under its item key and counted in
    ``tally``; kept, when ``keep``, to be handed back in item order. ``items`` is the work as
    handed out (each key noted as it goes)."""

    def __init__(
        self,
        items: Iterable[WorkItem],
        store: ResultsStore,
        run_id: int,
        keep: bool,
        total: int | None,
    ) -> None:
        self.store, self.run_id = store, run_id
        self.tally = Tally(item_count(items, total))
        self._keys: list[str] | None = [] if keep else None
        self._results: dict[str, EpisodeResult] = {}
        self.items = noting_keys(items, self._keys)

    def add(self, item: WorkItem, result: EpisodeResult) -> None:
        """Store, count and (when kept) keep one finished episode."""
        self.store.add_episode(self.run_id, result, item.key)
        if self._keys is not None:
            self._results[item.key] = result
        self.tally.finish(item.key, result)

    def in_order(self) -> list[EpisodeResult]:
        """The kept results in item order (nothing when not kept)."""
        return [self._results[k] for k in self._keys] if self._keys is not None else []


def run_concurrent(
    items: Iterable[WorkItem],
    store: ResultsStore,
    run_id: int,
    concurrency: int = 1,
    observe: Observer | None = None,
    tick_s: float = 0.25,
    retries: int = 0,
    keep: bool = True,
    total: int | None = None,
) -> list[EpisodeResult]:
    """Run ``items`` (any iterable: it is streamed) with up to ``concurrency`` episodes at once;
    each finished episode is stored at once under its item key. Returns the results in item
    order (nothing when not ``keep``: a long run need not hold them). ``total`` is the number
    of items, for progress, when ``items`` has no length."""
    if concurrency < 1:
        raise ValueError(f"concurrency must be at least 1, got {concurrency}")
    out = Finished(items, store, run_id, keep, total)
    tally = out.tally
    tick = (lambda: observe(tally.snapshot())) if observe else None
    work = partial(run_item, tally=tally, retries=retries)
    for item, result in finished(out.items, work, concurrency, tick_s=tick_s, on_tick=tick):
        out.add(item, result)
        if observe:
            observe(tally.snapshot())
    return out.in_order()


def _run_group(items: list[WorkItem], retries: int = 0) -> list[EpisodeResult]:
    """Every item of one scenario, in a pool process."""
    return [run_item(item, retries=retries) for item in items]


def run_processes(
    items: Iterable[WorkItem],
    store: ResultsStore,
    run_id: int,
    workers: int,
    observe: Observer | None = None,
    retries: int = 0,
    keep: bool = True,
    total: int | None = None,
) -> list[EpisodeResult]:
    """Run ``items`` (streamed) on ``workers`` processes, one scenario's items per task (in item
    order); each task's episodes are stored as it returns. Returns the results in item order
    (nothing when not ``keep``)."""
    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    out = Finished(items, store, run_id, keep, total)
    groups = (list(g) for _, g in groupby(out.items, key=_scenario_of))
    work = partial(_run_group, retries=retries)
    for group, done in finished(groups, work, workers, processes=True):
        for item, result in zip(group, done, strict=True):
            out.add(item, result)
        if observe:
            observe(out.tally.snapshot())
    return out.in_order()


def _scenario_of(item: WorkItem) -> tuple[Any, ...]:
    return (item.track, item.tier, item.seed, item.overrides)
