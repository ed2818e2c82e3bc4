"""The SQLite results file: runs, episodes, answers, compaction records and LLM call accounting
(``calls``: one row per episode and usage metric: calls, retries, tokens, cost; ``run_usage``:
LLM calls a run made outside its episodes, such as ``compare``'s closed-book probe, by part), the
source of truth for reports. A compaction's full record (its views before and after) is kept
zlib-compressed JSON; its step, strategy, dropped fact ids and token counts are plain columns for
queries. Files written before a table existed open fine: the table is created empty."""

from __future__ import annotations

import json
import sqlite3
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Self

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
CREATE TABLE IF NOT EXISTS calls (
    episode_id INTEGER NOT NULL REFERENCES episodes(id),
    metric TEXT NOT NULL,
    value REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS run_usage (
    run_id INTEGER NOT NULL REFERENCES runs(id),
    part TEXT NOT NULL,
    metric TEXT NOT NULL,
    value REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS episodes_run ON episodes(run_id);
CREATE INDEX IF NOT EXISTS compactions_episode ON compactions(episode_id);
CREATE INDEX IF NOT EXISTS answers_episode ON answers(episode_id);
CREATE INDEX IF NOT EXISTS calls_episode ON calls(episode_id);
"""


CLOSED_BOOK = "closed_book"
"""The ``run_usage`` part of ``compare``'s closed-book probe calls."""


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
        created = datetime.now(UTC).isoformat(timespec="seconds")
        with self.db:
            cur = self.db.execute(
                "INSERT INTO runs (created, config, version) VALUES (?, ?, ?)",
                (created, json.dumps(config, sort_keys=True), __version__),
            )
        assert cur.lastrowid is not None
        return cur.lastrowid

    def find_run(self, config: dict[str, Any]) -> int | None:
        """The newest run recorded with exactly ``config``, or None."""
        text = json.dumps(config, sort_keys=True)
        row = self.db.execute(
            "SELECT id FROM runs WHERE config = ? ORDER BY id DESC LIMIT 1", (text,)
        ).fetchone()
        return None if row is None else int(row[0])

    def run_config(self, run_id: int) -> dict[str, Any]:
        """The config a run was started with; ``ValueError`` for an unknown run id."""
        row = self.db.execute("SELECT config FROM runs WHERE id = ?", (run_id,)).fetchone()
        if row is None:
            raise ValueError(f"no run {run_id} in {self.path}")
        config: dict[str, Any] = json.loads(row[0])
        return config

    def add_episode(self, run_id: int, result: EpisodeResult, key: str | None = None) -> None:
        """Store one episode and its answers atomically under ``key`` (default: its
        ``episode_key``). A repeated key is ignored, unless the stored episode ended
        ``infra_error``: then the new result replaces it."""
        key = episode_key(result) if key is None else key
        with self.db:
            self._drop_infra_error(run_id, key)
            cur = self.db.execute(
                "INSERT OR IGNORE INTO episodes (run_id, key, track, seed, scenario_hash, memory,"
                " reasoner, model, status, composite, accuracy, result)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    run_id,
                    key,
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
            self.db.executemany(
                "INSERT INTO calls VALUES (?, ?, ?)",
                [(cur.lastrowid, k, v) for k, v in sorted(result.usage.items())],
            )

    def add_run_usage(self, run_id: int, part: str, usage: dict[str, float]) -> None:
        """Add ``usage`` (LLM calls made outside any episode) to ``part`` of run ``run_id``."""
        with self.db:
            self.db.executemany(
                "INSERT INTO run_usage VALUES (?, ?, ?, ?)",
                [(run_id, part, k, v) for k, v in sorted(usage.items())],
            )

    def run_usage(self, run_id: int | None = None) -> dict[str, dict[str, float]]:
        """part -> usage totals of the LLM calls made outside episodes (of one run, or all)."""
        sql = "SELECT part, metric, SUM(value) FROM run_usage"
        args: tuple[Any, ...] = ()
        if run_id is not None:
            sql += " WHERE run_id = ?"
            args = (run_id,)
        parts: dict[str, dict[str, float]] = {}
        for part, metric, value in self.db.execute(sql + " GROUP BY part, metric", args):
            parts.setdefault(part, {})[metric] = value
        return parts

    def _drop_infra_error(self, run_id: int, key: str) -> None:
        """Delete the run's ``infra_error`` episode under ``key`` (if any) with its rows."""
        row = self.db.execute(
            "SELECT id FROM episodes WHERE run_id = ? AND key = ? AND status = 'infra_error'",
            (run_id, key),
        ).fetchone()
        if row is None:
            return
        for table in ("answers", "compactions", "calls"):
            self.db.execute(f"DELETE FROM {table} WHERE episode_id = ?", row)
        self.db.execute("DELETE FROM episodes WHERE id = ?", row)

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
        for _, result in self.keyed_episodes(run_id, compactions):
            yield result

    def keyed_episodes(
        self, run_id: int | None = None, compactions: bool = True
    ) -> Iterator[tuple[str, EpisodeResult]]:
        """``episodes``, each with the key it is stored under."""
        sql = "SELECT id, key, result FROM episodes"
        args: tuple[Any, ...] = ()
        if run_id is not None:
            sql += " WHERE run_id = ?"
            args = (run_id,)
        for episode_id, key, raw in self.db.execute(sql + " ORDER BY id", args).fetchall():
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
            yield key, result

    def episode_index(self, run_id: int | None = None) -> list[tuple[int, int]]:
        """(run id, number of compaction records) of each stored episode (of one run, or all),
        in the order ``episodes`` yields them."""
        where, args = ("WHERE e.run_id = ?", (run_id,)) if run_id is not None else ("", ())
        rows = self.db.execute(
            "SELECT e.run_id, COUNT(c.episode_id) FROM episodes e LEFT JOIN compactions c"
            f" ON c.episode_id = e.id {where} GROUP BY e.id ORDER BY e.id",
            args,
        )
        return [(int(r), int(n)) for r, n in rows]

    def leaderboard(self, run_id: int | None = None) -> list[dict[str, Any]]:
        """One row per model x memory x track: composite and accuracy as mean and standard error
        over seeds (a seed's episodes averaged first), ``infra_error`` episodes left out; best
        composite first."""
        from memgym.run.summary import mean_se

        sql = (
            "SELECT model, memory, track, seed, AVG(composite), AVG(accuracy), COUNT(*)"
            " FROM episodes WHERE status != 'infra_error'"
        )
        args: tuple[Any, ...] = ()
        if run_id is not None:
            sql += " AND run_id = ?"
            args = (run_id,)
        groups: dict[tuple[str, str, str], list[tuple[float, float, int]]] = {}
        for model, memory, track, _, comp, acc, n in self.db.execute(
            sql + " GROUP BY model, memory, track, seed ORDER BY seed", args
        ):
            groups.setdefault((model, memory, track), []).append((comp, acc, n))
        rows = []
        for (model, memory, track), seeds in groups.items():
            comp, comp_se = mean_se([c for c, _, _ in seeds])
            acc, acc_se = mean_se([a for _, a, _ in seeds])
            rows.append(
                {
                    "model": model,
                    "memory": memory,
                    "track": track,
                    "seeds": len(seeds),
                    "episodes": sum(n for _, _, n in seeds),
                    "composite": comp,
                    "composite_se": comp_se,
                    "accuracy": acc,
                    "accuracy_se": acc_se,
                }
            )
        return sorted(rows, key=lambda r: (-r["composite"], r["model"], r["memory"], r["track"]))

    def done_keys(self, run_id: int) -> set[str]:
        """Keys of the episodes a run has finished, ``infra_error`` ones excepted: what
        ``--resume`` skips."""
        rows = self.db.execute(
            "SELECT key FROM episodes WHERE run_id = ? AND status != 'infra_error'", (run_id,)
        )
        return {k for (k,) in rows}

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
