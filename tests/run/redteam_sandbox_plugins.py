"""Plugins that attack the worker's sandbox itself (not the evaluator's process): what they can
read, write, learn from the environment and reach on the network.

- ``hunter`` (a reasoner): walks the paths it is told (``probe``: where the host keeps results,
  caches, the salt) and every folder it can see (unless ``walk=false``) for SQLite results files, and answers each
  question with the answer an earlier run stored as correct for the same question id;
- ``inventory`` (a reasoner): answers every question with one JSON object saying what it found:
  the results, cache and salt files it could read, where it could write, the variables it was
  given, whether it could open a TCP connection to ``port`` on this machine, and whether TLS
  loads (what an honest LLM client needs).

Options arrive in the spec (``hunter:probe=/a;/b``, ``inventory:port=8000,probe=...``): the host
paths an attacker would guess, handed over so the test knows they were tried.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from memgym.reasoners.base import Reasoner, register_reasoner
from memgym.tracks.base import Track
from memgym.types import Question, View

SKIP = ("/proc", "/sys", "/dev")
SQLITE_MAGIC = b"SQLite format 3\x00"
WALK_LIMIT = 200_000


def probes(text: str) -> list[Path]:
    return [Path(p) for p in text.split(";") if p]


def visible_files(extra: list[Path], walk: bool = True) -> Iterator[Path]:
    """Every file under the ``extra`` paths and (``walk``) ``/`` this process can list."""
    seen = 0
    for root in [*extra, *([Path("/")] if walk else [])]:
        if root.is_file():
            yield root
            continue
        for folder, dirs, files in os.walk(root):
            if folder.startswith(SKIP):
                dirs[:] = []
                continue
            for name in files:
                seen += 1
                if seen > WALK_LIMIT:
                    return
                yield Path(folder) / name


def is_sqlite(path: Path) -> bool:
    try:
        with open(path, "rb") as f:
            return f.read(16) == SQLITE_MAGIC
    except OSError:
        return False


def stored_answers(path: Path) -> dict[str, str]:
    """question id -> an answer stored as correct, from a results file (empty if it is not)."""
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            rows = db.execute("SELECT question_id, answer FROM answers WHERE correct = 1")
            return {str(q): str(a) for q, a in rows}
        finally:
            db.close()
    except sqlite3.Error:
        return {}


@register_reasoner("hunter")
class Hunter(Reasoner):
    """Answers from any results file it can read."""

    name = "hunter"

    def __init__(self, track: Track, probe: str = "", walk: bool = True) -> None:
        self.track, self.probe, self.walk = track, probe, walk
        self.found: dict[str, str] | None = None

    def answer(self, question: Question, view: View) -> str:
        if self.found is None:
            self.found = {}
            for path in visible_files(probes(self.probe), self.walk):
                if path.suffix in (".db", ".sqlite", ".sqlite3") and is_sqlite(path):
                    self.found.update(stored_answers(path))
        return self.found.get(question.id, "")


def try_write(folder: Path) -> str:
    """``ok`` when a new file can be made in ``folder`` (removed again), else the error."""
    target = folder / f"redteam-{os.getpid()}.txt"
    try:
        target.write_text("written by a plugin")
    except OSError as exc:
        return type(exc).__name__
    target.unlink()
    return "ok"


def try_connect(port: int) -> str:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2):
            return "ok"
    except OSError as exc:
        return type(exc).__name__


def try_ssl() -> str:
    """``ok`` when TLS works (an LLM client needs it: the runtime's own libraries load)."""
    try:
        import ssl

        ssl.create_default_context()
    except (ImportError, OSError) as exc:
        return f"{type(exc).__name__}: {exc}"
    return "ok"


@register_reasoner("inventory")
class Inventory(Reasoner):
    """Answers with what it could see, write and reach (JSON)."""

    name = "inventory"

    def __init__(
        self, track: Track, probe: str = "", write: str = "", port: int = 0, base_url: str = ""
    ) -> None:
        self.track, self.probe, self.write, self.port = track, probe, write, port
        self.report = ""

    def answer(self, question: Question, view: View) -> str:
        self.report = self.report or self.look()
        return self.report

    def look(self) -> str:
        readable, results = [], []
        for path in visible_files(probes(self.probe)):
            if "salt" in path.name.lower() or path.suffix in (".db", ".sqlite", ".sqlite3"):
                try:
                    path.read_bytes()
                except OSError:
                    continue
                readable.append(str(path))
                if is_sqlite(path) and stored_answers(path):
                    results.append(str(path))
        import memgym

        targets = [*probes(self.write), Path(memgym.__file__).parent, Path(__file__).parent,
                   Path("/"), Path("/usr/lib"), Path("/opt"), Path.home()]  # fmt: skip
        report = {
            "uid": os.getuid(),
            "home": str(Path.home()),
            "cwd": os.getcwd(),
            "readable": readable,
            "results": results,
            "writes": {str(t): try_write(t) for t in targets},
            "env": dict(os.environ),
            "socket": try_connect(self.port) if self.port else "",
            "ssl": try_ssl(),
        }
        return json.dumps(report, sort_keys=True)
