"""The episodes of ``memgym compare`` on an interactive track: every memory, the same sessions."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from functools import partial
from typing import Any

from memgym.llm.usage import retried
from memgym.memory.history.compactor import HistoryFactory
from memgym.types import EpisodeResult


def session_runs(
    track_name: str,
    tier: str | None,
    seeds: Sequence[int],
    specs: Sequence[str],
    agent: str,
    fixed: Mapping[str, Any],
    workers: int = 1,
    retries: int = 0,
    histories: HistoryFactory | None = None,
) -> Iterator[EpisodeResult]:
    """Every (seed, memory) episode with a fresh ``agent``, seed-major, memories in order (each
    seed's session drawn under the salt, if one is set: ``memgym.salt``); on
    ``workers`` spawned processes (one seed each) when above 1, with the same results. Streamed
    (at most ``2 * workers`` seeds in flight; Ctrl-C stops at once: ``memgym.pool``). An
    ``infra_error`` episode is run again up to ``retries`` times (``episode_retries`` in its usage
    counts the extra attempts, whose usage is added). ``histories``: each episode's history
    memory (``evaluate_interactive``; picklable when ``workers`` is above 1)."""
    tasks = (
        (track_name, tier, seed, list(specs), agent, dict(fixed), retries, histories)
        for seed in seeds
    )
    if workers <= 1 or len(seeds) <= 1:
        for task in tasks:
            yield from _seed(task)
        return
    from memgym.pool import finished

    processes = min(workers, len(seeds))
    for _, done in finished(
        tasks, _seed, processes, processes=True, start_method="spawn", ordered=True
    ):
        yield from done


def _seed(task: tuple[Any, ...]) -> list[EpisodeResult]:
    from memgym.interactive.episode import evaluate_interactive
    from memgym.salt import evaluation_seed, stamp_seed
    from memgym.tracks import get_track

    track_name, tier, seed, specs, agent, fixed, retries, histories = task
    track = get_track(track_name)
    scenario = track.generate(evaluation_seed(track.name, seed), tier, **fixed)
    run = partial(evaluate_interactive, track, scenario)  # type: ignore[arg-type]
    return [
        stamp_seed(retried(partial(run, spec, agent, histories=histories), retries), seed)
        for spec in specs
    ]
