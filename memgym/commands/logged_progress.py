"""Progress that a log shows: when stderr is not a terminal (a file, a pipe, a CI log) the live
bar is hidden, so ``LoggedProgress`` writes plain lines instead, one per finished item (at most
one every ``MIN_GAP_S`` seconds, the last item always) and one every ``HEARTBEAT_S`` seconds while
none finishes, each with the bar's figures::

    episodes 3/28 (11%), 2m 14s elapsed, eta 17m 20s: 41 LLM calls, 32,114 tokens, ...

The eta is the whole run's pace (time since the start per item finished so far), not rich's
30-second window: in a log the items are minutes apart, and a burst of quick ones (stream
episodes between model sessions) made the window's pace say "eta 3s" with two ten-minute sessions
left. On a terminal it is rich's live bar, unchanged."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from rich.console import Console
from rich.progress import Progress, TaskID

MIN_GAP_S = 1.0
"""Seconds between two lines for finished items (a scripted run finishes hundreds a second)."""
HEARTBEAT_S = 60.0
"""Seconds without a line after which one is written though nothing finished."""


class LoggedProgress(Progress):
    """rich's ``Progress``, writing a line to ``log`` per finished item or per heartbeat when
    ``log`` is given (stderr that is not a terminal)."""

    def __init__(
        self,
        *columns: Any,
        log: Console | None = None,
        clock: Callable[[], float] = time.monotonic,
        **options: Any,
    ) -> None:
        super().__init__(*columns, **options)
        self._log, self._clock = log, clock
        self._logged: dict[TaskID, tuple[float, float]] = {}  # task -> (completed, at)
        self._started: dict[TaskID, tuple[float, float]] = {}  # task -> (completed, at) at its add

    def add_task(self, description: str, *args: Any, **kwargs: Any) -> TaskID:
        task = super().add_task(description, *args, **kwargs)
        self._logged[task] = (float(kwargs.get("completed", 0)), self._clock())
        self._started[task] = self._logged[task]
        return task

    def update(self, task_id: TaskID, *args: Any, **kwargs: Any) -> None:
        super().update(task_id, *args, **kwargs)
        self._maybe_log(task_id)

    def advance(self, task_id: TaskID, advance: float = 1) -> None:
        super().advance(task_id, advance)
        self._maybe_log(task_id)

    def stop(self) -> None:
        for task_id in list(self._logged):
            self._maybe_log(task_id, final=True)
        super().stop()

    def _maybe_log(self, task_id: TaskID, final: bool = False) -> None:
        if self._log is None or task_id not in self._logged:
            return
        with self._lock:
            task = self._tasks[task_id]
            completed, total = task.completed, task.total
            fields = dict(task.fields)
            description, elapsed = task.description, task.elapsed
        done_before, at = self._logged[task_id]
        now = self._clock()
        remaining = pace_remaining(self._started[task_id], completed, total, now)
        finished = completed > done_before
        due = finished and (now - at >= MIN_GAP_S or completed == total or final)
        if not due and now - at < HEARTBEAT_S:
            return
        if final and not finished:
            return
        self._logged[task_id] = (completed, now)
        self._log.print(
            line(description, completed, total, elapsed, remaining, str(fields.get("stats") or "")),
            markup=False,
            highlight=False,
            soft_wrap=True,
        )


def pace_remaining(
    started: tuple[float, float], completed: float, total: float | None, now: float
) -> float | None:
    """Seconds left at the pace since ``started`` (completed, at): None before the first item
    finishes (no pace yet) or without a total."""
    done = completed - started[0]
    if not total or done <= 0:
        return None
    return (now - started[1]) / done * max(total - completed, 0.0)


def line(
    description: str,
    completed: float,
    total: float | None,
    elapsed: float | None,
    remaining: float | None,
    stats: str = "",
) -> str:
    """One log line: ``episodes 3/28 (11%), 2m 14s elapsed, eta 17m 20s: STATS``."""
    share = f" ({completed / total:.0%})" if total else ""
    count = f"{completed:,.0f}/{total:,.0f}{share}" if total else f"{completed:,.0f}"
    parts = [f"{description} {count}", f"{clock_text(elapsed)} elapsed"]
    if remaining is not None and total and completed < total:
        parts.append(f"eta {clock_text(remaining)}")
    return ", ".join(parts) + (f": {stats}" if stats else "")


def clock_text(seconds: float | None) -> str:
    """``45s``, ``2m 14s``, ``1h 05m``."""
    s = int(seconds or 0)
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m {s % 60:02d}s"
    return f"{s // 3600}h {s % 3600 // 60:02d}m"
