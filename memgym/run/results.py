"""The SQLite results file: runs, episodes, answers, compaction records and LLM call accounting
(``calls``: one row per episode and usage metric: calls, retries, tokens, cost; ``run_usage``:
LLM calls a run made outside its episodes, such as ``compare``'s closed-book probe, by part), the
source of truth for reports. A compaction's step, strategy, dropped fact ids and token counts are
plain columns of ``compactions`` for queries; the full records of an episode (their views before
and after) are one blob of ``compaction_packs``, each distinct text stored once and the whole
compressed (``memgym.memory.compaction_pack``: 44x smaller than a compressed record per
compaction on dialogue standard, docs/report.md). Files written before it kept each record
whole in its row (``compactions.record``, zlib-compressed JSON), and read as they are. Files
written before a table existed open fine: the table is created empty.

``run_plans`` holds how many episodes each run set out to run: a run is *complete* when that many
are stored and none ended ``infra_error`` (see ``RunStatus``).
``compare_seeds`` holds, per seed a ``compare`` run finished, what its table needs besides the
episodes (``memgym.run.compare_seeds``: what ``compare --resume`` reads back).

Writers open the file read-write, refuse a file that is some other SQLite database (it is left
unchanged), use WAL while they work and switch the file back to a rollback journal when they are
the last to close it. Readers (``ResultsStore.open_read``) open it read-only and never change it:
on a read-only folder too, and with no side files left behind.
"""

from __future__ import annotations

import json
import os
import sqlite3
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, Self

from memgym import __version__
from memgym.specs import THIRD_PARTY
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
CREATE TABLE IF NOT EXISTS compaction_packs (
    episode_id INTEGER PRIMARY KEY REFERENCES episodes(id),
    pack BLOB NOT NULL
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
CREATE TABLE IF NOT EXISTS run_plans (
    run_id INTEGER PRIMARY KEY REFERENCES runs(id),
    episodes INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS compare_seeds (
    run_id INTEGER NOT NULL REFERENCES runs(id),
    seed INTEGER NOT NULL,
    summary TEXT NOT NULL,
    PRIMARY KEY (run_id, seed)
);
CREATE INDEX IF NOT EXISTS episodes_run ON episodes(run_id);
CREATE INDEX IF NOT EXISTS compactions_episode ON compactions(episode_id);
CREATE INDEX IF NOT EXISTS answers_episode ON answers(episode_id);
CREATE INDEX IF NOT EXISTS calls_episode ON calls(episode_id);
"""


CLOSED_BOOK = "closed_book"
"""The ``run_usage`` part of ``compare``'s closed-book probe calls."""
PAGE = 256
"""Episodes read from the store per query when streaming them (``keyed_episodes``)."""


def episode_key(result: EpisodeResult) -> str:
    """What identifies an episode within a run: scenario, memory, reasoner and model."""
    return f"{result.scenario_hash}|{result.memory}|{result.reasoner}|{result.model}"


MODEL_TOKENS = (
    "('prompt_tokens', 'completion_tokens', 'cached_prompt_tokens', 'cached_completion_tokens')"
)
"""The usage metrics that count a model's tokens, those a call cache answered included (SQL list)."""
FAILED = "('infra_error', 'tampered')"
"""Episode statuses that score nothing and mark their run incomplete (SQL list): the ones
``--resume`` runs again."""

REQUIRED_TABLES = ("runs", "episodes")
"""Tables every memgym results file has: a file with other tables and not these is foreign."""
UNWRITABLE = frozenset({"unable to open database file", "attempt to write a readonly database"})
"""SQLite's words for a results file it cannot create or change (its contents are not at fault)."""


@dataclass(frozen=True)
class RunStatus:
    """How far a run got: episodes planned (None: not recorded), stored ``ok`` and stored
    ``infra_error`` (``infra``; ``tampered`` episodes are counted there too). Complete: nothing
    failed and nothing is missing."""

    planned: int | None
    done: int
    infra: int

    @property
    def missing(self) -> int:
        """Planned episodes with no stored result (interrupted, or still running)."""
        return 0 if self.planned is None else max(0, self.planned - self.done - self.infra)

    @property
    def complete(self) -> bool:
        return self.infra == 0 and self.missing == 0

    def describe(self) -> str:
        """``complete``, or ``incomplete`` with what is wrong: ``incomplete: 3 infra_error,
        12 not run``."""
        if self.complete:
            return "complete"
        parts = [f"{self.infra} infra_error"] if self.infra else []
        parts += [f"{self.missing} not run"] if self.missing else []
        return "incomplete: " + ", ".join(parts)


def _journal_is_wal(path: str) -> bool:
    """Whether the SQLite file at ``path`` is in WAL mode (header bytes 18-19 are 2)."""
    with open(path, "rb") as f:
        header = f.read(20)
    return len(header) == 20 and header[18] == 2 and header[19] == 2


class ResultsStore:
    """A results file. Each episode is written in its own transaction, so a killed run keeps
    every finished episode and loses nothing else.

    ``ResultsStore(path)`` opens for writing (creating the file); ``ResultsStore.open_read(path)``
    opens an existing file read-only. Both refuse, with a ``ValueError`` naming the file, a file
    that is not a memgym results file, and leave it unchanged. Inside ``with``, an SQLite error
    (a damaged file, say) comes out as a one-line ``ValueError`` naming the file.
    """

    def __init__(self, path: str | Path, readonly: bool = False) -> None:
        self.path = str(path)
        self.readonly = readonly
        self._has_packs: bool | None = None
        folder = os.path.dirname(os.path.abspath(self.path))
        if not readonly and not os.path.isdir(folder):
            raise ValueError(f"cannot write {self.path}: no folder {folder}")
        try:
            self.db = self._connect_read() if readonly else sqlite3.connect(self.path)
            self._check_tables()
            if not readonly:
                self.db.executescript(SCHEMA)
                self.db.execute("PRAGMA journal_mode=WAL")
        except sqlite3.DatabaseError as exc:
            self._close_quietly()
            full = getattr(exc, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL
            if not readonly and (str(exc) in UNWRITABLE or full):  # read-only, a folder, no space
                raise ValueError(f"cannot write {self.path}: {exc}") from None
            raise ValueError(f"{self.path} is not a memgym results file: {exc}") from None
        except ValueError:
            self._close_quietly()
            raise

    @classmethod
    def open_read(cls, path: str | Path) -> Self:
        """An existing results file, read-only: nothing in the file or its folder changes."""
        return cls(path, readonly=True)

    def _connect_read(self) -> sqlite3.Connection:
        """A read-only connection. A file in WAL mode with no WAL beside it (its writer closed
        without switching back) is opened immutable, which needs no side files; a read-only
        folder where SQLite cannot make them gets the same."""
        if not os.path.isfile(self.path):
            raise ValueError(f"no results file at {self.path}")
        if os.path.getsize(self.path) == 0:
            raise ValueError(f"{self.path} is empty, not a memgym results file")
        uri = Path(os.path.abspath(self.path)).as_uri()
        wal_left = os.path.exists(self.path + "-wal")
        if _journal_is_wal(self.path) and not wal_left:
            return sqlite3.connect(f"{uri}?mode=ro&immutable=1", uri=True)
        db = sqlite3.connect(f"{uri}?mode=ro", uri=True)
        try:
            db.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchall()
        except sqlite3.OperationalError:
            db.close()
            return sqlite3.connect(f"{uri}?mode=ro&immutable=1", uri=True)
        return db

    def _check_tables(self) -> None:
        """Refuse (``ValueError``) a database that is not a memgym results file: one with tables
        but not ``runs`` and ``episodes``, or, read-only, one with no tables at all."""
        tables = {
            n for (n,) in self.db.execute("SELECT name FROM sqlite_master WHERE type='table'")
        }
        if all(t in tables for t in REQUIRED_TABLES):
            return
        if tables:
            shown = ", ".join(sorted(tables)[:5]) + (", ..." if len(tables) > 5 else "")
            raise ValueError(
                f"{self.path} is an SQLite database but not a memgym results file (its tables: "
                f"{shown}); it was left unchanged"
            )
        if self.readonly:
            raise ValueError(f"{self.path} holds no tables: not a memgym results file")

    def _close_quietly(self) -> None:
        db = getattr(self, "db", None)
        if db is not None:
            db.close()

    def start_run(self, config: dict[str, Any], planned: int | None = None) -> int:
        """Record a new run (with the number of episodes it plans, when known) and return its
        id."""
        created = datetime.now(UTC).isoformat(timespec="seconds")
        with self.db:
            cur = self.db.execute(
                "INSERT INTO runs (created, config, version) VALUES (?, ?, ?)",
                (created, json.dumps(config, sort_keys=True), __version__),
            )
            assert cur.lastrowid is not None
            if planned is not None:
                self.db.execute(
                    "INSERT INTO run_plans (run_id, episodes) VALUES (?, ?)",
                    (cur.lastrowid, planned),
                )
        return cur.lastrowid

    def drop_run_if_empty(self, run_id: int) -> bool:
        """Delete run ``run_id`` when it has no episode (it failed before its first one); True
        when it was deleted."""
        with self.db:
            if self.db.execute("SELECT 1 FROM episodes WHERE run_id = ?", (run_id,)).fetchone():
                return False
            self.db.execute("DELETE FROM run_plans WHERE run_id = ?", (run_id,))
            self.db.execute("DELETE FROM runs WHERE id = ?", (run_id,))
        return True

    def _has_table(self, name: str) -> bool:
        row = self.db.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)
        ).fetchone()
        return row is not None

    def statuses(self) -> dict[int, RunStatus]:
        """Every run's ``RunStatus``."""
        planned: dict[int, int] = {}
        if self._has_table("run_plans"):
            planned = dict(self.db.execute("SELECT run_id, episodes FROM run_plans").fetchall())
        counts = self.db.execute(
            "SELECT r.id, SUM(e.status NOT IN " + FAILED + "), SUM(e.status IN " + FAILED + ")"
            " FROM runs r LEFT JOIN episodes e ON e.run_id = r.id GROUP BY r.id"
        ).fetchall()
        return {
            int(i): RunStatus(planned.get(int(i)), int(done or 0), int(infra or 0))
            for i, done, infra in counts
        }

    def status(self, run_id: int) -> RunStatus:
        """One run's ``RunStatus``; ``ValueError`` for an unknown run id."""
        self.run_config(run_id)
        return self.statuses()[run_id]

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
                        b"",  # the record is in the episode's pack
                    )
                    for c in result.compactions
                ],
            )
            if result.compactions:
                from memgym.memory.compaction_pack import pack  # (lazy: readers rarely need it)

                self.db.execute(
                    "INSERT INTO compaction_packs VALUES (?, ?)",
                    (cur.lastrowid, pack(result.compactions)),
                )
            self.db.executemany(
                "INSERT INTO calls VALUES (?, ?, ?)",
                [(cur.lastrowid, k, v) for k, v in sorted(result.usage.items())],
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
            "SELECT id FROM episodes WHERE run_id = ? AND key = ? AND status IN " + FAILED,
            (run_id, key),
        ).fetchone()
        if row is not None:
            self.delete_episodes([row])

    def delete_episodes(self, ids: Sequence[tuple[int]]) -> None:
        """Delete the episodes of these row ids with their answers, compactions and calls,
        inside the caller's transaction."""
        for table in ("answers", "compactions", "compaction_packs", "calls"):
            self.db.executemany(f"DELETE FROM {table} WHERE episode_id = ?", ids)
        self.db.executemany("DELETE FROM episodes WHERE id = ?", ids)

    def runs(self) -> list[dict[str, Any]]:
        """Every run with its config, episode count and status (``complete``: bool, ``status``:
        its description, ``planned``, ``infra_error``), what ran its episodes (``boundary``) and
        its salts' digests (``salt``: "" for public seeds)."""
        rows = self.db.execute(
            "SELECT r.id, r.created, r.config, r.version, COUNT(e.id) FROM runs r"
            " LEFT JOIN episodes e ON e.run_id = r.id GROUP BY r.id ORDER BY r.id"
        ).fetchall()
        statuses = self.statuses()
        trust = self._trust()
        out = []
        for i, c, cfg, v, n in rows:
            st = statuses[int(i)]
            paths, salts = trust.get(int(i), ([], []))
            out.append(
                {
                    "id": i,
                    "created": c,
                    "config": json.loads(cfg),
                    "version": v,
                    "episodes": n,
                    "planned": st.planned,
                    "infra_error": st.infra,
                    "complete": st.complete,
                    "status": st.describe(),
                    "boundary": paths,
                    "salt": salts,
                }
            )
        return out

    def _trust(self) -> dict[int, tuple[list[str], list[str]]]:
        """run id -> what ran its episodes (``EpisodeResult.boundary``) and the digests of the
        salts its seeds were drawn under ("" for public seeds), each sorted."""
        found: dict[int, tuple[set[str], set[str]]] = {}
        for rid, path, salt in self.db.execute(
            "SELECT DISTINCT run_id, json_extract(result, '$.boundary'),"
            " json_extract(result, '$.salt') FROM episodes"
        ):
            paths, salts = found.setdefault(int(rid), (set(), set()))
            paths.add(path or "in-process")
            salts.add(salt or "")
        return {rid: (sorted(p), sorted(s)) for rid, (p, s) in found.items()}

    def episodes(
        self, run_id: int | None = None, compactions: bool = True, seed: int | None = None
    ) -> Iterator[EpisodeResult]:
        """Stored episodes (of one run, or all; of one seed of it, or all), with their answers
        and (unless ``compactions`` is false, which saves reading the views) their compaction
        records, in insertion order."""
        for _, result in self.keyed_episodes(run_id, compactions, seed):
            yield result

    def keyed_episodes(
        self, run_id: int | None = None, compactions: bool = True, seed: int | None = None
    ) -> Iterator[tuple[str, EpisodeResult]]:
        """``episodes``, each with the key it is stored under. Read a page of ``PAGE`` rows at
        a time, so memory stays flat in the number of episodes."""
        for episode_id, key, raw in self._episode_rows(run_id, seed):
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
                result.compactions = self._compactions(episode_id)
            yield key, result

    def _compactions(self, episode_id: int) -> list[CompactionRecord]:
        """An episode's compaction records: from its pack, or (a file written before packs)
        from each record's own row."""
        if self._packed():
            row = self.db.execute(
                "SELECT pack FROM compaction_packs WHERE episode_id = ?", (episode_id,)
            ).fetchone()
            if row is not None:
                from memgym.memory.compaction_pack import unpack

                return unpack(row[0])
        return [
            CompactionRecord.model_validate_json(zlib.decompress(raw))
            for (raw,) in self.db.execute(
                "SELECT record FROM compactions WHERE episode_id = ? AND length(record) > 0"
                " ORDER BY rowid",
                (episode_id,),
            )
        ]

    def _packed(self) -> bool:
        """Whether the file has the packs table (a writer made it; an older file read-only may
        lack it)."""
        if self._has_packs is None:
            self._has_packs = self._has_table("compaction_packs")
        return self._has_packs

    def _episode_rows(
        self, run_id: int | None, seed: int | None = None
    ) -> Iterator[tuple[int, str, str]]:
        """(id, key, result JSON) of the stored episodes in id order, a page at a time (no
        statement stays open between pages, so the caller may write in between)."""
        filters = [(f, v) for f, v in (("run_id", run_id), ("seed", seed)) if v is not None]
        where = "".join(f" AND {f} = ?" for f, _ in filters)
        last = -1
        while True:
            args: tuple[Any, ...] = (last, *(v for _, v in filters))
            page = self.db.execute(
                f"SELECT id, key, result FROM episodes WHERE id > ?{where} ORDER BY id LIMIT ?",
                (*args, PAGE),
            ).fetchall()
            yield from page
            if len(page) < PAGE:
                return
            last = page[-1][0]

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

    def leaderboard(
        self, run_id: int | None = None, include_incomplete: bool = False
    ) -> list[dict[str, Any]]:
        """One row per track x tier x model x memory x reasoner: composite and accuracy as mean
        and standard error over seeds (a seed's episodes averaged first), ``infra_error``
        episodes left out, best composite first within each track and tier (``rank``).

        Only complete runs are ranked unless ``include_incomplete``; then a row with episodes of
        an incomplete run has ``complete`` false. ``policy`` names the simulation policy a
        ``memgym run --policies`` ran the pair as ("" otherwise). A row with episodes that code
        from outside memgym ran in the evaluator's process (``in-process (third-party)``) is
        listed after the others, unranked (``rank`` None)."""
        from memgym.run.summary import mean_se

        statuses = self.statuses()
        policies = self._policy_names()
        sql = (
            "SELECT run_id, track, json_extract(result, '$.params.tier'), model, memory,"
            " reasoner, seed, composite, accuracy, json_extract(result, '$.boundary'),"
            " json_extract(result, '$.salt'), json_extract(result, '$.params'),"
            " json_extract(result, '$.questions'),"
            " (SELECT COUNT(*) FROM compactions c WHERE c.episode_id = episodes.id),"
            " (SELECT COALESCE(SUM(value), 0) FROM calls k WHERE k.episode_id = episodes.id"
            f" AND k.metric IN {MODEL_TOKENS}),"
            " (SELECT COALESCE(SUM(value), 0) FROM calls k WHERE k.episode_id = episodes.id"
            " AND k.metric = 'view_tokens')"
            " FROM episodes WHERE status NOT IN " + FAILED
        )
        args: tuple[Any, ...] = ()
        if run_id is not None:
            sql += " AND run_id = ?"
            args = (run_id,)
        Key = tuple[str, str, str, str, str, str, str]
        seeds: dict[Key, dict[int, list[tuple[float, float]]]] = {}
        runs_of: dict[Key, set[int]] = {}
        trust: dict[Key, tuple[set[str], set[str]]] = {}
        costs: dict[Key, list[float]] = {}  # questions, compactions, model tokens, view tokens
        for (
            rid,
            track,
            tier,
            model,
            memory,
            reasoner,
            seed,
            comp,
            acc,
            path,
            salt,
            params,
            *cost,
        ) in self.db.execute(sql + " ORDER BY id", args):
            if not (include_incomplete or statuses[rid].complete):
                continue
            setup = setup_label(track, tier, params)
            key = (track, tier or "", setup, salt or "", model, memory, reasoner)
            seeds.setdefault(key, {}).setdefault(seed, []).append((comp, acc))
            runs_of.setdefault(key, set()).add(rid)
            paths, salts = trust.setdefault(key, (set(), set()))
            paths.add(path or "in-process")
            salts.add(salt or "")
            summed = costs.setdefault(key, [0.0, 0.0, 0.0, 0.0])
            for i, value in enumerate(cost):
                summed[i] += float(value or 0)
        rows: list[dict[str, Any]] = []
        for key, by_seed in seeds.items():
            track, tier, setup, _, model, memory, reasoner = key
            per_seed = [
                (sum(c for c, _ in v) / len(v), sum(a for _, a in v) / len(v))
                for _, v in sorted(by_seed.items())
            ]
            comp, comp_se = mean_se([c for c, _ in per_seed])
            acc, acc_se = mean_se([a for _, a in per_seed])
            names = {policies.get((r, memory, reasoner), "") for r in runs_of[key]}
            rows.append(
                {
                    "track": track,
                    "tier": tier,
                    "setup": setup,
                    "model": model,
                    "memory": memory,
                    "reasoner": reasoner,
                    "policy": names.pop() if len(names) == 1 else "",
                    "seeds": len(per_seed),
                    "episodes": sum(len(v) for v in by_seed.values()),
                    "composite": comp,
                    "composite_se": comp_se,
                    "accuracy": acc,
                    "accuracy_se": acc_se,
                    "runs": sorted(runs_of[key]),
                    "complete": all(statuses[r].complete for r in runs_of[key]),
                    "boundary": sorted(trust[key][0]),
                    "salt": sorted(trust[key][1]),
                    **_costs(costs[key], sum(len(v) for v in by_seed.values())),
                }
            )
        rows.sort(
            key=lambda r: (
                r["track"],
                r["tier"],
                r["setup"],
                r["salt"],
                THIRD_PARTY in r["boundary"],
                -r["composite"],
                r["model"],
                r["memory"],
                r["reasoner"],
            )
        )
        rank, group = 0, None
        for row in rows:  # code from outside memgym run in process is listed, never ranked
            here = (row["track"], row["tier"], row["setup"])
            if THIRD_PARTY in row["boundary"]:
                row["rank"] = None
                continue
            rank = rank + 1 if here == group else 1
            group = here
            row["rank"] = rank
        return rows

    def _policy_names(self) -> dict[tuple[int, str, str], str]:
        """(run id, memory, reasoner) -> the policy name a ``memgym run --policies`` gave it."""
        names: dict[tuple[int, str, str], str] = {}
        for rid, raw in self.db.execute("SELECT id, config FROM runs"):
            config = json.loads(raw)
            pairs, policies = config.get("pairs") or [], config.get("policies") or []
            if (
                isinstance(pairs, list)
                and isinstance(policies, list)
                and len(pairs) == len(policies)
            ):
                for pair, name in zip(pairs, policies):
                    if isinstance(pair, list) and len(pair) == 2:
                        names[(int(rid), str(pair[0]), str(pair[1]))] = str(name)
        return names

    def done_keys(self, run_id: int) -> set[str]:
        """Keys of the episodes a run has finished, ``infra_error`` ones excepted: what
        ``--resume`` skips."""
        rows = self.db.execute(
            "SELECT key FROM episodes WHERE run_id = ? AND status NOT IN " + FAILED, (run_id,)
        )
        return {k for (k,) in rows}

    def close(self) -> None:
        """Close the file; a writer that is the last connection switches it back from WAL to a
        rollback journal, so that readers need no side files (if another connection is still
        open, the file stays in WAL and the last one does it)."""
        if not self.readonly:
            try:
                self.db.execute("PRAGMA journal_mode=DELETE")
            except sqlite3.DatabaseError:
                pass
        self.db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, _: object
    ) -> None:
        self.close()
        if kind is not None and issubclass(kind, sqlite3.DatabaseError):
            raise ValueError(f"{self.path}: {exc}") from None


@lru_cache(maxsize=256)
def setup_label(track: str, tier: str | None, params: str | None) -> str:
    """What an episode's parameters change from its tier's defaults, as ``k=v,...`` ("" for the
    tier as it is): episodes of one setup are ranked together, never with another's. A parameter
    the generator draws per seed (default None, such as a template) is not a change. For a track
    not registered here, every parameter but the tier counts."""
    if not params:
        return ""
    given: dict[str, Any] = json.loads(params)
    given.pop("tier", None)
    try:
        from memgym.tracks import get_track

        defaults: dict[str, Any] = get_track(track).params(tier or None)
    except (KeyError, ValueError, ImportError, RuntimeError):
        defaults = {}
    if not defaults:
        changed = given
    else:
        changed = {
            k: v
            for k, v in given.items()
            if defaults.get(k) is not None and defaults[k] != v  # None: drawn per seed
        }
    return ",".join(
        f"{k}={json.dumps(v) if not isinstance(v, str) else v}" for k, v in sorted(changed.items())
    )


def _costs(summed: Sequence[float], episodes: int) -> dict[str, Any]:
    """A leaderboard row's cost figures from its episodes' summed questions (tasks),
    compactions, model tokens and view tokens: compactions per episode and tokens per question,
    the model's when it called one, else the views' (an interactive track's scripted agent),
    else None (a scripted reasoner reads the view whole, uncounted)."""
    questions, compactions, model, view = summed
    per_question = None
    kind = ""
    if questions and (model or view):
        per_question, kind = (model, "model") if model else (view, "view")
        per_question /= questions
    return {
        "compactions": compactions / episodes if episodes else 0.0,
        "tokens_per_question": per_question,
        "tokens_kind": kind,
    }
