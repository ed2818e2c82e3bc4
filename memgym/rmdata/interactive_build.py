"""``memgym rm interactive``: label an interactive track's compactions over seeds x memories.

Every (seed, memory) session is run and labelled by ``memgym.rmdata.interactive`` and its rows are
appended to ``OUT`` as soon as it is done; ``OUT.jobs`` gets one JSON line per finished session
(its key, rows, label stats, replays, seconds). A killed run resumes: sessions already in
``OUT.jobs`` are skipped, and rows of a session that was not finished are dropped first. The
rows then go in as a test split with ``memgym rm add-split OUT --name NAME``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from memgym.files import write_atomic
from memgym.rm.rows import Row


@dataclass(frozen=True)
class SessionJob:
    """One session to run and label."""

    track: str
    seed: int
    memory: str
    agent: str = "context"
    tier: str | None = None
    shared: bool = True
    params: tuple[tuple[str, Any], ...] = ()
    """Track parameter overrides (``--param``), sorted by name."""

    @property
    def key(self) -> str:
        fixed = "".join(f"{k}={v}," for k, v in self.params)
        return f"{self.track}/{fixed}{self.tier or '-'}/{self.seed}/{self.memory}/{self.agent}"


def check_specs(track_name: str, memories: Sequence[str], agent: str) -> None:
    """``ValueError`` (one line) for a track that is not interactive, a memory that cannot
    compact a history or an unknown agent; before any session runs."""
    from memgym.interactive.registry import make_agent
    from memgym.memory.history.history_memory import HistoryMemory
    from memgym.tracks import get_track

    track = get_track(track_name)
    if not getattr(track, "interactive", False):
        raise ValueError(
            f"track {track_name!r} is not interactive: label its compactions with `memgym rm build`"
        )
    if not memories:
        raise ValueError("give at least one --memories spec")
    for spec in memories:
        if spec == "full":
            raise ValueError("memory 'full' never compacts: nothing to label")
        HistoryMemory(spec, track_name, "check")
    make_agent(agent, track).close()


def label_job(job: SessionJob) -> tuple[SessionJob, list[Row], dict[str, Any]]:
    """Run and label one session: its rows and a summary (stats, replays, seconds)."""
    from memgym.rmdata.interactive import label_session, session_rows
    from memgym.tracks import get_track
    from memgym.tracks.interactive import InteractiveTrack

    start = time.perf_counter()
    track = get_track(job.track)
    if not isinstance(track, InteractiveTrack):
        raise TypeError(f"track {job.track!r} is not interactive")
    scenario = track.generate(job.seed, job.tier, **dict(job.params))
    labels = label_session(track, scenario, job.memory, job.agent, job.shared)
    rows = session_rows(labels, scenario, job.memory, job.agent, job=job.key)
    summary = {
        "job": job.key, "rows": len(rows), "harmful": sum(r["harmful"] for r in rows),
        "harmful_single": sum(r["harmful_single"] for r in rows), "replays": labels.replays,
        "seconds": round(time.perf_counter() - start, 3), "stats": labels.stats,
    }  # fmt: skip
    return job, rows, summary


def done_jobs(out: Path) -> dict[str, dict[str, Any]]:
    """The finished sessions of an earlier run into ``out`` (by key), and its file cut to
    their rows."""
    jobs_file = Path(f"{out}.jobs")
    if not jobs_file.exists():
        return {}
    done: dict[str, dict[str, Any]] = {}
    for line in jobs_file.read_text(encoding="utf-8").splitlines():
        try:
            entry = json.loads(line)
        except json.JSONDecodeError:
            continue  # a line cut by the kill: that session runs again
        done[entry["job"]] = entry
    if out.exists():
        kept = [
            line
            for line in out.read_text(encoding="utf-8").splitlines(keepends=True)
            if _job_of(line) in done
        ]
        write_atomic(out, "".join(kept))
    write_atomic(jobs_file, "".join(json.dumps(e) + "\n" for e in done.values()))
    return done


def _job_of(line: str) -> str | None:
    try:
        return str(json.loads(line).get("job"))
    except (json.JSONDecodeError, AttributeError):
        return None


def label_sessions(
    jobs: Sequence[SessionJob],
    out: str | Path,
    workers: int = 1,
    on_done: Callable[[dict[str, Any]], None] | None = None,
) -> list[dict[str, Any]]:
    """Label every job not already done, appending to ``out`` and ``out.jobs``; the summaries
    of every job (earlier ones included), in job order."""
    from memgym.rmdata.dataset import parallel_map

    path = Path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    done = done_jobs(path)
    todo = [j for j in jobs if j.key not in done]
    for job in jobs:
        if job.key in done and on_done is not None:
            on_done(done[job.key])
    with (
        open(path, "a", encoding="utf-8") as rows_fh,
        open(f"{path}.jobs", "a", encoding="utf-8") as jobs_fh,
    ):
        for _job, rows, summary in parallel_map(label_job, todo, workers):
            rows_fh.writelines(json.dumps(row, separators=(",", ":")) + "\n" for row in rows)
            rows_fh.flush()
            jobs_fh.write(json.dumps(summary) + "\n")
            jobs_fh.flush()
            done[summary["job"]] = summary
            if on_done is not None:
                on_done(summary)
    return [done[j.key] for j in jobs if j.key in done]


def totals(summaries: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Rows, labels, replays, seconds and the label stats summed over sessions."""
    out: dict[str, Any] = {"sessions": len(summaries)}
    for key in ("rows", "harmful", "harmful_single", "replays", "seconds"):
        out[key] = sum(s[key] for s in summaries)
    stats: dict[str, int] = {}
    for s in summaries:
        for key, value in s["stats"].items():
            stats[key] = stats.get(key, 0) + value
    out["stats"] = stats
    return out
