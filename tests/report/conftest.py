"""Real comparison runs (lite and standard tiers) stored in a results file, plus MemRM
predictions, shared by the report tests: built once per session."""

from __future__ import annotations

import random
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import pytest

from memgym.commands.compare import Comparison, run_comparison
from memgym.run.results import ResultsStore
from memgym.types import EpisodeResult

MEMORIES = ["window:max_tokens=1000", "window:max_tokens=3000", "rag-bm25:k=2", "rag-bm25:k=6"]
SEEDS = [0, 1]
TIERS = ("lite", "standard")


@dataclass
class Stored:
    path: Path
    comparisons: list[Comparison]
    episodes: list[EpisodeResult]
    """Every stored episode as ``run_comparison`` returned it, compaction records included."""
    rm_rows: list[tuple[str, str, str, int, float]]


def add_rm_predictions(path: Path, seed: int = 0) -> list[tuple[str, str, str, int, float]]:
    """A ``rm_predictions`` table as ``memgym rm eval --results`` writes it (label = evaluation
    name, model = kind): two splits, two evaluations, scores that separate the classes
    imperfectly."""
    rng = random.Random(seed)
    rows = []
    for split in ("test", "ood"):
        for label, model, skill in (("memrm-r16", "lora", 0.45), ("bm25", "bm25", 0.15)):
            for _ in range(120):
                harmful = int(rng.random() < 0.7)
                p = min(1.0, max(0.0, 0.5 + (skill if harmful else -skill) + rng.gauss(0, 0.25)))
                rows.append((label, split, model, harmful, round(p, 4)))
    with sqlite3.connect(path) as db:
        db.execute(
            "CREATE TABLE IF NOT EXISTS rm_predictions (label TEXT, split TEXT, model TEXT,"
            " harmful INTEGER, p_harmful REAL)"
        )
        db.executemany("INSERT INTO rm_predictions VALUES (?, ?, ?, ?, ?)", rows)
    return rows


@pytest.fixture(scope="session")
def stored(tmp_path_factory) -> Stored:
    path = tmp_path_factory.mktemp("report") / "results.sqlite"
    kept: list[EpisodeResult] = []
    comparisons = []
    with ResultsStore(path) as store:
        for tier in TIERS:
            run_id = store.start_run({"command": "compare", "tier": tier, "memories": MEMORIES})

            def keep(result: EpisodeResult, run_id: int = run_id) -> None:
                store.add_episode(run_id, result)
                kept.append(result.model_copy(deep=True))

            comparisons.append(
                run_comparison("entities", tier, SEEDS, MEMORIES, on_episode=keep, resamples=50)
            )
    return Stored(path, comparisons, kept, add_rm_predictions(path))
