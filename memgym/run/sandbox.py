"""How the worker process is started: alone in a sandbox when bubblewrap is there, else as a
plain child process; either way without the salt in its environment.

In the sandbox (``bwrap``) the worker has a process namespace of its own, so the evaluator's
process (its memory, its environment, its open files under ``/proc``) is not there to read; it
runs without capabilities even when memgym runs as root; the files named in ``hidden`` (the salt
file, the results file) read as empty. The network is shared: an LLM reasoner must reach its
endpoint. A plain child process (no ``bwrap``) is a weaker boundary: it holds no gold and no
salt, but code in it running as the evaluator's user may read the evaluator's memory through
``/proc``. Results record which one ran (``EpisodeResult.boundary``).
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Sequence
from functools import cache
from pathlib import Path

from memgym.salt import SALT_FILE_ENV, SALT_VARIABLES

SANDBOX = "sandbox"
PROCESS = "process"
IN_PROCESS = "in-process"
BOUNDARIES = (IN_PROCESS, PROCESS, SANDBOX)
"""What ran the evaluated code: in the evaluator's process (trusted built-ins), a plain worker
process, or a worker process in a bubblewrap sandbox."""

SANDBOX_ENV = "MEMGYM_SANDBOX"
"""``off`` runs the worker as a plain process even when bubblewrap is installed."""


@cache
def _bwrap() -> str | None:
    if os.environ.get(SANDBOX_ENV, "").lower() == "off":
        return None
    return shutil.which("bwrap")


def worker_env() -> dict[str, str]:
    """The evaluator's environment without the salt; ``PYTHONPATH`` leads with the directory
    this memgym is imported from (so the worker runs the same code)."""
    env = {k: v for k, v in os.environ.items() if k not in SALT_VARIABLES}
    root = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
    return env


def worker_argv(
    args: Sequence[str] = (), hidden: Sequence[str | Path] = ()
) -> tuple[list[str], str]:
    """The command that starts a worker with ``args`` (``memgym.run.worker.main``), and which
    boundary it gives (``SANDBOX`` or ``PROCESS``). ``hidden``: files the worker must not read
    besides the salt file (those that exist read as empty)."""
    command = [sys.executable, "-m", "memgym.run.worker", *args]
    exe = _bwrap()
    if exe is None:
        return command, PROCESS
    argv = [exe, "--bind", "/", "/", "--dev", "/dev", "--proc", "/proc"]
    salt_file = os.environ.get(SALT_FILE_ENV)
    for path in (*hidden, *([salt_file] if salt_file else [])):
        if Path(path).is_file():
            argv += ["--ro-bind", "/dev/null", str(Path(path).resolve())]
    argv += ["--unshare-pid", "--unshare-ipc", "--unshare-uts", "--die-with-parent",
             "--new-session", "--cap-drop", "ALL", "--chdir", os.getcwd()]  # fmt: skip
    return argv + command, SANDBOX
