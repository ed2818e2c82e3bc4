"""What ``memgym compare --resume`` needs of a finished seed besides its episodes.

A comparison's table needs, per seed, the tokens each memory was shown, the questions it was
asked, its compactions and the closed-book probe's leaked questions and calls: none of it is in
the episodes. ``save_seed`` writes that summary (table ``compare_seeds``), with the probe's usage,
in one transaction once the seed's episodes are stored, so a seed with a summary is whole.
``finished_seeds`` names the whole seeds of a run and deletes what a killed run left of the others
(their episodes), so running them again stores each episode once; ``seed_episodes`` reads one
seed's episodes back.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from memgym.run.results import CLOSED_BOOK, FAILED
from memgym.types import EpisodeResult

if TYPE_CHECKING:
    from memgym.run.results import ResultsStore


def save_seed(
    store: ResultsStore,
    run_id: int,
    seed: int,
    summary: dict[str, Any],
    probe_usage: dict[str, float],
) -> None:
    """Record seed ``seed`` of run ``run_id`` as whole: its ``summary`` (JSON-able) and, under
    the ``closed_book`` part of the run's usage, its probe's calls."""
    with store.db:
        store.db.execute(
            "INSERT OR REPLACE INTO compare_seeds VALUES (?, ?, ?)",
            (run_id, seed, json.dumps({**summary, "probe_usage": probe_usage}, sort_keys=True)),
        )
        _add_usage(store, run_id, probe_usage)


def finished_seeds(store: ResultsStore, run_id: int, episodes: int) -> dict[int, dict[str, Any]]:
    """seed -> summary for each seed of run ``run_id`` stored whole: a summary, ``episodes``
    episodes, none of them failed (``infra_error``, ``tampered``). Every other seed's episodes
    and summary are deleted, so that it runs again from the start, and the run's closed-book
    usage is made again from the whole seeds' summaries."""
    with store.db:
        summaries = {
            int(seed): json.loads(text)
            for seed, text in store.db.execute(
                "SELECT seed, summary FROM compare_seeds WHERE run_id = ?", (run_id,)
            )
        }
        counts = {  # seed -> episodes stored that did not fail
            int(seed): int(ok)
            for seed, ok in store.db.execute(
                "SELECT seed, SUM(status NOT IN " + FAILED + ") FROM episodes WHERE run_id = ?"
                " GROUP BY seed",
                (run_id,),
            )
        }
        whole = {s: summary for s, summary in summaries.items() if counts.get(s) == episodes}
        dropped = (set(counts) | set(summaries)) - set(whole)
        for seed in dropped:
            _drop_seed(store, run_id, seed)
        if dropped:
            store.db.execute(
                "DELETE FROM run_usage WHERE run_id = ? AND part = ?", (run_id, CLOSED_BOOK)
            )
            for summary in whole.values():
                _add_usage(store, run_id, summary.get("probe_usage", {}))
    return whole


def seeds_saved(store: ResultsStore, run_id: int) -> int:
    """How many seeds of run ``run_id`` are stored whole (with their summary)."""
    row = store.db.execute("SELECT COUNT(*) FROM compare_seeds WHERE run_id = ?", (run_id,))
    return int(row.fetchone()[0])


def seed_episodes(store: ResultsStore, run_id: int, seed: int) -> list[EpisodeResult]:
    """One seed's stored episodes in the order they were stored, without compaction records."""
    return list(store.episodes(run_id, compactions=False, seed=seed))


def _add_usage(store: ResultsStore, run_id: int, usage: dict[str, float]) -> None:
    store.db.executemany(
        "INSERT INTO run_usage VALUES (?, ?, ?, ?)",
        [(run_id, CLOSED_BOOK, k, v) for k, v in sorted(usage.items())],
    )


def _drop_seed(store: ResultsStore, run_id: int, seed: int) -> None:
    """Delete seed ``seed``'s episodes (with their rows) and summary."""
    ids = store.db.execute(
        "SELECT id FROM episodes WHERE run_id = ? AND seed = ?", (run_id, seed)
    ).fetchall()
    store.delete_episodes(ids)
    store.db.execute("DELETE FROM compare_seeds WHERE run_id = ? AND seed = ?", (run_id, seed))
