"""The SQLite results file: runs, episodes, answers and compaction records, the source of truth
for reports. A compaction's full record (its views before and after) is kept zlib-compressed
JSON; its step, strategy, dropped fact ids and token counts are plain columns for queries."""

from __future__ import annotations

import json
import sqlite3
import zlib
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from memgym import __version__
from memgym.types import AnswerRecord, CompactionRecord, EpisodeResult

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY,
    created TEXT NOT NULL,
    config TEXT NOT NULL,
    version TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS episodes (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES runs(id),
    key TEXT NOT NULL,
    track TEXT NOT NULL,
    seed INTEGER NOT NULL,
    scenario_hash TEXT NOT NULL,
    memory TEXT NOT NULL,
    reasoner TEXT NOT NULL,
    model TEXT NOT NULL,
    status TEXT NOT NULL,
    composite REAL NOT NULL,
    accuracy REAL NOT NULL,
    result TEXT NOT NULL,
    UNIQUE (run_id, key)
);
CREATE TABLE IF NOT EXISTS answers (
    episode_id INTEGER NOT NULL REFERENCES episodes(id),
    question_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    axis TEXT NOT NULL,
    answer TEXT NOT NULL,
    correct INTEGER NOT NULL,
    status TEXT NOT NULL,
    error TEXT
);
CREATE TABLE IF NOT EXISTS compactions (
    episode_id INTEGER NOT NULL REFERENCES episodes(id),
    step INTEGER NOT NULL,
    strategy TEXT NOT NULL,
    facts TEXT NOT NULL,
    tokens_before INTEGER NOT NULL,
    tokens_after INTEGER NOT NULL,
    record BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS episodes_run ON episodes(run_id);
CREATE INDEX IF NOT EXISTS compactions_episode ON compactions(episode_id);
CREATE INDEX IF NOT EXISTS answers_episode ON answers(episode_id);
"""


def episode_key(result: EpisodeResult) -> str:
    """What identifies an episode within a run: scenario, memory, reasoner and model."""
    return f"{result.scenario_hash}|{result.memory}|{result.reasoner}|{result.model}"


class ResultsStore:
    """A results file. Each episode is written in its own transaction, so a killed run keeps
    every finished episode and loses nothing else."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        try:
            self.db = sqlite3.connect(self.path)
            self.db.executescript(SCHEMA)
        except sqlite3.DatabaseError as exc:
            raise ValueError(f"{self.path} is not a memgym results file: {exc}") from None
        self.db.execute("PRAGMA journal_mode=WAL")

    def start_run(self, config: dict[str, Any]) -> int:
        """Record a new run and return its id."""
        created = datetime.now(timezone.utc).isoformat(timespec="seconds")
        with self.db:
            cur = self.db.execute(
                "INSERT INTO runs (created, config, version) VALUES (?, ?, ?)",
                (created, json.dumps(config, sort_keys=True), __version__),
            )
        assert cur.lastrowid is not None
        return cur.lastrowid

    def add_episode(self, run_id: int, result: EpisodeResult) -> None:
        """Store one episode and its answers atomically; a repeated episode is ignored."""
        with self.db:
            cur = self.db.execute(
                "INSERT OR IGNORE INTO episodes (run_id, key, track, seed, scenario_hash, memory,"
                " reasoner, model, status, composite, accuracy, result)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    run_id,
                    episode_key(result),
                    result.track,
                    result.seed,
                    result.scenario_hash,
                    result.memory,
                    result.reasoner,
                    result.model,
                    result.status,
                    result.composite,
                    result.accuracy,
                    result.model_dump_json(exclude={"answers", "compactions"}),
                ),
            )
            if cur.rowcount == 0:
                return
            self.db.executemany(
                "INSERT INTO answers VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        cur.lastrowid,
                        a.question_id,
                        a.kind,
                        a.axis,
                        a.answer,
                        int(a.correct),
                        a.status,
                        a.error,
                    )
                    for a in result.answers
                ],
            )
            self.db.executemany(
                "INSERT INTO compactions VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        cur.lastrowid,
                        c.step,
                        c.strategy,
                        json.dumps(c.facts),
                        c.tokens_before,
                        c.tokens_after,
                        zlib.compress(c.model_dump_json().encode()),
                    )
                    for c in result.compactions
                ],
            )

    def runs(self) -> list[dict[str, Any]]:
        """Every run with its config and episode count."""
        rows = self.db.execute(
            "SELECT r.id, r.created, r.config, r.version, COUNT(e.id) FROM runs r"
            " LEFT JOIN episodes e ON e.run_id = r.id GROUP BY r.id ORDER BY r.id"
        ).fetchall()
        return [
            {"id": i, "created": c, "config": json.loads(cfg), "version": v, "episodes": n}
            for i, c, cfg, v, n in rows
        ]

    def episodes(
        self, run_id: int | None = None, compactions: bool = True
    ) -> Iterator[EpisodeResult]:
        """Stored episodes (of one run, or all), with their answers and (unless ``compactions``
        is false, which saves reading the views) their compaction records, in insertion order."""
        sql = "SELECT id, result FROM episodes"
        args: tuple[Any, ...] = ()
        if run_id is not None:
            sql += " WHERE run_id = ?"
            args = (run_id,)
        for episode_id, raw in self.db.execute(sql + " ORDER BY id", args).fetchall():
            result = EpisodeResult.model_validate_json(raw)
            result.answers = [
                AnswerRecord(
                    question_id=q, kind=k, axis=ax, answer=a, correct=bool(c), status=s, error=e
                )
                for q, k, ax, a, c, s, e in self.db.execute(
                    "SELECT question_id, kind, axis, answer, correct, status, error FROM answers"
                    " WHERE episode_id = ? ORDER BY rowid",
                    (episode_id,),
                )
            ]
            if compactions:
                result.compactions = [
                    CompactionRecord.model_validate_json(zlib.decompress(raw))
                    for (raw,) in self.db.execute(
                        "SELECT record FROM compactions WHERE episode_id = ? ORDER BY rowid",
                        (episode_id,),
                    )
                ]
            yield result

    def done_keys(self, run_id: int) -> set[str]:
        """Keys of the episodes a run has finished (what ``--resume`` skips)."""
        return {
            k for (k,) in self.db.execute("SELECT key FROM episodes WHERE run_id = ?", (run_id,))
        }

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> ResultsStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
