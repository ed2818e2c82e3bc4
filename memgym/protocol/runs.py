"""The runs one protocol evaluation is made of, in a results file.

An eval run is recorded with its protocol config (``memgym.protocol.work.run_config``) plus its
shard. A fresh ``memgym eval`` is one run; with ``--resume`` or ``--shard`` it joins every run of
the same config (any shard), skipping the episodes they finished, and its entry is built from
all of them: each episode key once, a finished episode preferred to an ``infra_error`` one.
Where and how the model was reached (``PRIVATE_OPTIONS``: the endpoint, the key's variable, the
call cache and the sessions' journal, timeouts) is not what was measured: runs and episode keys are matched without it, so
a run resumed against a server that moved, or with a longer timeout, goes on where it stopped.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from memgym.run.results import ResultsStore, RunStatus
from memgym.types import EpisodeResult

PRIVATE_OPTIONS = ("base_url", "api_key_env", "cache", "timeout", "slots", "max_retries", "journal")
"""Reasoner options left out of an entry and of run matching: where the model was served, not
what was measured."""


def public_spec(spec: str) -> str:
    """``spec`` without the options that say where and how the model was reached."""
    from memgym.specs import parse_spec

    name, options = parse_spec(spec)
    kept = [f"{k}={v}" for k, v in options.items() if k not in PRIVATE_OPTIONS]
    return name + (":" + ",".join(kept) if kept else "")


def public_key(key: str) -> str:
    """An episode key (``WorkItem.key``, the reasoner spec last) with ``public_spec``'s reasoner."""
    head, sep, reasoner = key.rpartition("|")
    return head + sep + public_spec(reasoner) if sep else key


def _public(config: dict[str, Any]) -> dict[str, Any]:
    """A run config as matched: its reasoner spec public, its shard left out."""
    found = dict(config)
    found.pop("shard", None)
    if isinstance(found.get("reasoner"), str):
        found["reasoner"] = public_spec(found["reasoner"])
    return found


def matching_runs(store: ResultsStore, config: dict[str, Any]) -> list[int]:
    """Ids of the runs recorded with ``config`` under any shard and any private reasoner
    options, oldest first."""
    want = _public(json.loads(json.dumps(config)))
    return [int(run["id"]) for run in store.runs() if _public(dict(run["config"])) == want]


def episodes_of(store: ResultsStore, runs: list[int]) -> dict[str, EpisodeResult]:
    """Public key -> episode over ``runs``: each key once, a finished episode before an
    infra_error."""
    chosen: dict[str, EpisodeResult] = {}
    for run_id in runs:
        for stored, result in store.keyed_episodes(run_id, compactions=False):
            key = public_key(stored)
            kept = chosen.get(key)
            if kept is None or (kept.status == "infra_error" and result.status != "infra_error"):
                chosen[key] = result
    return chosen


def done_keys(store: ResultsStore, runs: list[int]) -> set[str]:
    """Public keys finished (not ``infra_error``) in any of ``runs``: what a resumed eval
    skips."""
    return {public_key(key) for run_id in runs for key in store.done_keys(run_id)}


def status(planned: int, episodes: dict[str, EpisodeResult]) -> RunStatus:
    """How complete the evaluation is, over every key of ``planned`` episodes."""
    infra = sum(r.status == "infra_error" for r in episodes.values())
    return RunStatus(planned, len(episodes) - infra, infra)


def ordered(episodes: dict[str, EpisodeResult], keys: Iterator[str]) -> list[EpisodeResult]:
    """The episodes in the protocol's work order (``keys``), those not run left out."""
    return [episodes[public_key(k)] for k in keys if public_key(k) in episodes]
