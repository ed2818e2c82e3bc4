"""The runs one protocol evaluation is made of, in a results file.

An eval run is recorded with its protocol config (``memgym.protocol.work.run_config``) plus its
shard. A fresh ``memgym eval`` is one run; with ``--resume`` or ``--shard`` it joins every run of
the same config (any shard), skipping the episodes they finished, and its entry is built from
all of them: each episode key once, a finished episode preferred to an ``infra_error`` one.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from memgym.run.results import ResultsStore, RunStatus
from memgym.types import EpisodeResult


def matching_runs(store: ResultsStore, config: dict[str, Any]) -> list[int]:
    """Ids of the runs recorded with ``config`` under any shard, oldest first."""
    want = json.loads(json.dumps(config))
    found = []
    for run in store.runs():
        recorded = dict(run["config"])
        recorded.pop("shard", None)
        if recorded == want:
            found.append(int(run["id"]))
    return found


def episodes_of(store: ResultsStore, runs: list[int]) -> dict[str, EpisodeResult]:
    """Key -> episode over ``runs``: each key once, a finished episode before an infra_error."""
    chosen: dict[str, EpisodeResult] = {}
    for run_id in runs:
        for key, result in store.keyed_episodes(run_id, compactions=False):
            kept = chosen.get(key)
            if kept is None or (kept.status == "infra_error" and result.status != "infra_error"):
                chosen[key] = result
    return chosen


def done_keys(store: ResultsStore, runs: list[int]) -> set[str]:
    """Keys finished (not ``infra_error``) in any of ``runs``: what a resumed eval skips."""
    return {key for run_id in runs for key in store.done_keys(run_id)}


def status(planned: int, episodes: dict[str, EpisodeResult]) -> RunStatus:
    """How complete the evaluation is, over every key of ``planned`` episodes."""
    infra = sum(r.status == "infra_error" for r in episodes.values())
    return RunStatus(planned, len(episodes) - infra, infra)


def ordered(episodes: dict[str, EpisodeResult], keys: Iterator[str]) -> list[EpisodeResult]:
    """The episodes in the protocol's work order (``keys``), those not run left out."""
    return [episodes[k] for k in keys if k in episodes]
