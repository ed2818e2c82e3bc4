"""The log that lets a killed ``memgym rm build`` resume.

Every finished episode is appended to ``OUT/build.jobs`` as one JSON line (the job, its rows, the
compactions left out and its label stats) under a first line holding the build's config. A build
into the same folder with the same config skips the episodes logged there (a line cut by the kill
is dropped: that episode runs again); the log is removed once the splits and the manifest are
written. A folder that already holds a finished dataset (``manifest.json``) or another config's
log is refused, so a build never overwrites a dataset (nor a sealed split's opening record).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import IO, Any

from memgym.files import write_atomic

LOG = "build.jobs"


def job_key(job: Any) -> str:
    """A job's identity in the log: its track, strategy, seed, split and tier."""
    return json.dumps([job.track, job.strategy, job.seed, job.split, job.tier])


class BuildLog:
    """The episodes a build into ``folder`` has finished, and where it appends the next ones."""

    def __init__(self, folder: Path, config: dict[str, Any]) -> None:
        self.path = folder / LOG
        self.config = config
        self.done: dict[str, dict[str, Any]] = {}
        self._fh: IO[str] | None = None

    @classmethod
    def open(cls, folder: str | Path, config: dict[str, Any]) -> BuildLog:
        """Check ``folder`` can take this build, create it, and read what an earlier run of the
        same config finished there. ``ValueError`` names what is wrong."""
        folder = Path(folder)
        if folder.exists() and not folder.is_dir():
            raise ValueError(f"cannot build into --out {folder}: it is a file")
        if (folder / "manifest.json").exists():
            raise ValueError(
                f"--out {folder} already holds a dataset (manifest.json): give another folder"
                " or remove it first"
            )
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise ValueError(f"cannot build into --out {folder}: {e.strerror}") from None
        if not os.access(folder, os.W_OK):
            raise ValueError(f"cannot build into --out {folder}: the folder is read-only")
        log = cls(folder, json.loads(json.dumps(config)))  # tuples read back as lists
        log._read()
        return log

    def _read(self) -> None:
        if not self.path.exists():
            self.path.write_text(json.dumps({"config": self.config}) + "\n", encoding="utf-8")
            return
        lines = self.path.read_text(encoding="utf-8").splitlines()
        header = _load(lines[0]) if lines else None
        if header is None or header.get("config") != self.config:
            raise ValueError(
                f"{self.path} is the log of an unfinished build with another config: build that"
                " config again to resume it, or remove the file to start over"
            )
        for line in lines[1:]:
            entry = _load(line)
            if entry is None:
                break  # the line the kill cut: its episode runs again
            self.done[entry["job"]] = entry
        write_atomic(
            self.path, "".join(json.dumps(e) + "\n" for e in [header, *self.done.values()])
        )

    def append(self, job: Any, rows: list[Any], skipped: int, stats: dict[str, int]) -> None:
        """Log one finished episode (flushed at once, so a kill after it loses nothing)."""
        if self._fh is None:
            self._fh = open(self.path, "a", encoding="utf-8")  # noqa: SIM115 - kept open
        key = job_key(job)
        entry = {"job": key, "rows": rows, "skipped": skipped, "stats": stats}
        self._fh.write(json.dumps(entry) + "\n")
        self._fh.flush()
        self.done[key] = entry

    def finish(self) -> None:
        """The dataset is written: remove the log."""
        self.close()
        self.path.unlink(missing_ok=True)

    def close(self) -> None:
        """Stop appending (the log stays for a resume)."""
        if self._fh is not None:
            self._fh.close()
            self._fh = None


def _load(line: str) -> dict[str, Any] | None:
    try:
        entry = json.loads(line)
    except json.JSONDecodeError:
        return None
    return entry if isinstance(entry, dict) else None
