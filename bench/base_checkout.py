"""A checkout of a base commit for benchmarks that compare against the code before a change.

``base_checkout(rev)`` adds a detached git worktree of ``rev`` in a temporary folder (removed at
exit); a benchmark then runs the same command under both trees, each in a child process whose
``PYTHONPATH`` puts that tree first, and reports the ratio measured in the same run.
"""

from __future__ import annotations

import atexit
import os
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def base_checkout(rev: str) -> Path:
    """A worktree of ``rev`` (a commit, branch or tag of this repository) in a temp folder."""
    folder = Path(tempfile.mkdtemp(prefix="memgym-base-")) / "tree"
    subprocess.run(
        ["git", "-C", str(REPO), "worktree", "add", "--detach", "--quiet", str(folder), rev],
        check=True,
    )
    atexit.register(
        subprocess.run,
        ["git", "-C", str(REPO), "worktree", "remove", "--force", str(folder)],
        check=False,
    )
    return folder


def run_in(tree: Path, args: list[str], stdin: str | None = None) -> tuple[str, float]:
    """Run ``python ARGS`` with ``tree`` first on the import path (``stdin`` as its input); its
    stdout and CPU seconds (user + system of the child, so other developers' load on the
    machine does not count). Exits with the child's error when it fails: any exit status but
    0, or 1 with nothing on stdout (``memgym validate`` exits 1 when an invariant fails)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    env = dict(os.environ, PYTHONPATH=str(tree))
    done = subprocess.run(
        [sys.executable, *args],
        cwd=tree,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 1) or (done.returncode == 1 and not done.stdout.strip()):
        raise SystemExit(f"{' '.join(args)} failed in {tree}:\n{done.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return done.stdout, cpu
