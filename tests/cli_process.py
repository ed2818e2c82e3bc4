"""Running ``memgym`` as a user does: a real process, real signals, real stderr."""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def env() -> dict[str, str]:
    """The environment for a child ``memgym``: this checkout first on the path, plain output."""
    return {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "120", "NO_COLOR": "1"}


PROGRESS = re.compile(r"^[a-z][\w -]* [\d,]+(/[\d,]+ \(\d+%\))?, \S+( \S+)? elapsed")
"""A progress line (``episodes 3/30 (10%), 1s elapsed, ...``): a command whose stderr is not a
terminal writes them while it works (``memgym.commands.logged_progress``)."""


def without_progress(err: str) -> list[str]:
    """The lines of ``err`` that are not progress lines."""
    return [line for line in err.strip().splitlines() if not PROGRESS.match(line)]


def memgym(
    *args: str, cwd: Path | None = None, timeout: float = 120
) -> subprocess.CompletedProcess:
    """``python -m memgym ARGS`` to completion: exit code, stdout, stderr (text)."""
    return subprocess.run(
        [sys.executable, "-m", "memgym", *args],
        cwd=cwd, env=env(), capture_output=True, text=True, timeout=timeout, check=False,
    )  # fmt: skip


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start(*args: str, cwd: Path | None = None) -> subprocess.Popen:
    """``python -m memgym ARGS`` in its own process group with SIGINT handled as in a terminal
    (a background job of a script would otherwise inherit SIGINT ignored)."""
    return subprocess.Popen(
        [sys.executable, "-m", "memgym", *args],
        cwd=cwd, env=env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True,
        preexec_fn=_default_sigint,  # noqa: PLW1509 - the test process starts no threads here
    )  # fmt: skip


def stored(path: Path) -> int:
    """Episodes in a results file, read without changing it (0 before it exists)."""
    if not path.exists() or path.stat().st_size == 0:
        return 0
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return int(db.execute("SELECT COUNT(*) FROM episodes").fetchone()[0])
    except sqlite3.OperationalError:  # the schema is not written yet, or a writer holds it
        return 0
    finally:
        db.close()


def kill_once_stored(child: subprocess.Popen, results: Path, count: int, seconds: float) -> None:
    """SIGKILL ``child``'s process group once ``results`` holds ``count`` episodes (failing if
    the child exits first or ``seconds`` pass), and reap it; the group is killed on any failure
    too, so no child outlives the test."""
    try:
        deadline = time.monotonic() + seconds
        while stored(results) < count:
            assert child.poll() is None, child.stderr.read() if child.stderr else ""
            assert time.monotonic() < deadline, f"no {count} episodes stored in {seconds:g} s"
            time.sleep(0.02)
    finally:
        os.killpg(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
