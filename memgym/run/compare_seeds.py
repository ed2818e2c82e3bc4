"""What ``memgym compare --resume`` needs of a finished seed besides its episodes.

A comparison's table needs, per seed, the tokens each memory was shown, the questions it was
asked, its compactions and the closed-book probe's leaked questions and calls: none of it is in
the episodes. ``save_seed`` writes that summary, with the probe's usage, in one transaction once
the seed's episodes are stored, so a seed with a summary is whole. ``finished_seeds`` returns the
whole seeds of a run with their episodes and deletes what a killed run left of the others (their
episodes), so running them again stores each episode once.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from memgym.run.results import CLOSED_BOOK, FAILED
from memgym.types import EpisodeResult

if TYPE_CHECKING:
    from memgym.run.results import ResultsStore

TABLE = """
CREATE TABLE IF NOT EXISTS compare_seeds (
    run_id INTEGER NOT NULL REFERENCES runs(id),
    seed INTEGER NOT NULL,
    summary TEXT NOT NULL,
    PRIMARY KEY (run_id, seed)
)
"""


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
        store.db.execute(TABLE)
        store.db.execute(
            "INSERT OR REPLACE INTO compare_seeds VALUES (?, ?, ?)",
            (run_id, seed, json.dumps({**summary, "probe_usage": probe_usage}, sort_keys=True)),
        )
        store.db.executemany(
            "INSERT INTO run_usage VALUES (?, ?, ?, ?)",
            [(run_id, CLOSED_BOOK, k, v) for k, v in sorted(probe_usage.items())],
        )


def finished_seeds(
    store: ResultsStore, run_id: int, episodes: int
) -> dict[int, tuple[dict[str, Any], list[EpisodeResult]]]:
    """seed -> (summary, its episodes in the order they were stored, without compaction records)
    for each seed of run ``run_id`` stored whole: a summary, ``episodes`` episodes, none of them
    failed (``infra_error``, ``tampered``). Every other seed's episodes, summary and probe usage
    are deleted, so that it runs again from the start."""
    with store.db:
        store.db.execute(TABLE)
        summaries = {
            int(seed): json.loads(text)
            for seed, text in store.db.execute(
                "SELECT seed, summary FROM compare_seeds WHERE run_id = ?", (run_id,)
            )
        }
        counts = dict(
            store.db.execute(
                "SELECT seed, COUNT(*) FROM episodes WHERE run_id = ? AND status NOT IN "
                + FAILED
                + " GROUP BY seed",
                (run_id,),
            ).fetchall()
        )
        stored = {
            int(s) for (s,) in store.db.execute(
                "SELECT DISTINCT seed FROM episodes WHERE run_id = ?", (run_id,)
            )
        }  # fmt: skip
        whole = {s for s in summaries if counts.get(s) == episodes}
        for seed in (stored | set(summaries)) - whole:
            _drop_seed(store, run_id, seed, summaries.get(seed))
    found: dict[int, tuple[dict[str, Any], list[EpisodeResult]]] = {
        s: (summaries[s], []) for s in whole
    }
    for result in store.episodes(run_id, compactions=False):
        if result.seed in found:
            found[result.seed][1].append(result)
    return found


def _drop_seed(store: ResultsStore, run_id: int, seed: int, summary: dict[str, Any] | None) -> None:
    """Delete seed ``seed``'s episodes (with their rows) and summary, and take its probe's
    usage back out of the run's (one stored row per metric, of the same value)."""
    ids = [
        (i,)
        for (i,) in store.db.execute(
            "SELECT id FROM episodes WHERE run_id = ? AND seed = ?", (run_id, seed)
        )
    ]
    for table in ("answers", "compactions", "calls"):
        store.db.executemany(f"DELETE FROM {table} WHERE episode_id = ?", ids)
    store.db.executemany("DELETE FROM episodes WHERE id = ?", ids)
    store.db.execute("DELETE FROM compare_seeds WHERE run_id = ? AND seed = ?", (run_id, seed))
    for metric, value in (summary or {}).get("probe_usage", {}).items():
        store.db.execute(
            "DELETE FROM run_usage WHERE rowid = (SELECT rowid FROM run_usage WHERE run_id = ?"
            " AND part = ? AND metric = ? AND value = ? LIMIT 1)",
            (run_id, CLOSED_BOOK, metric, value),
        )
