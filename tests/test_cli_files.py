"""Reading commands never change a results file, and nothing memgym does changes a file that is
not its own: a read-only results file (and folder) reads unchanged, byte for byte, with no side
file left behind; a foreign SQLite database, a 0-byte file and a text file are refused with one
line and exit 2, unchanged."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import stat
import subprocess
import sys

import pytest

from memgym.cli import main
from memgym.run.results import ResultsStore
from tests.cli_process import env, memgym


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def listing(folder) -> list[str]:
    return sorted(os.listdir(folder))


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    path = tmp_path_factory.mktemp("results") / "r.sqlite"
    argv = ["run", "--seeds", "2", "--policies", "strategic,guesser", "--results", str(path)]
    assert main(argv) == 0
    return path


READERS = (
    ["results", "{f}"],
    ["results", "{f}", "--run", "1"],
    ["results", "{f}", "--leaderboard"],
    ["results", "{f}", "--json"],
    ["results", "{f}", "--export", "{out}/e.jsonl"],
    ["report", "{f}", "-o", "{out}/report.html"],
)


def test_a_read_only_results_file_reads_unchanged(results, tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    path = folder / "r.sqlite"
    path.write_bytes(results.read_bytes())
    out = tmp_path / "out"
    out.mkdir()
    before = digest(path)
    path.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    folder.chmod(stat.S_IRUSR | stat.S_IXUSR | stat.S_IRGRP | stat.S_IXGRP)
    try:
        for argv in READERS:
            args = [a.format(f=path, out=out) for a in argv]
            assert main(args) == 0, args
            assert digest(path) == before, args
            assert listing(folder) == ["r.sqlite"], args  # no -wal, -shm or journal left
        with ResultsStore.open_read(path) as store:
            assert [r["episodes"] for r in store.runs()] == [4]
            with pytest.raises(sqlite3.OperationalError, match="readonly"):
                store.db.execute("DELETE FROM runs")
    finally:
        folder.chmod(stat.S_IRWXU)
        path.chmod(stat.S_IRUSR | stat.S_IWUSR)
    assert digest(path) == before


def test_a_file_left_in_wal_mode_reads_without_side_files(results, tmp_path):
    path = tmp_path / "wal.sqlite"
    path.write_bytes(results.read_bytes())
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=WAL")  # as a writer from before DELETE-on-close leaves it
    db.close()
    before = digest(path)
    assert main(["results", str(path), "--run", "1"]) == 0
    assert digest(path) == before and listing(tmp_path) == ["wal.sqlite"]


def test_writers_leave_the_file_in_rollback_mode(results):
    with open(results, "rb") as f:
        header = f.read(20)
    assert (header[18], header[19]) == (1, 1)  # not WAL: readers need no side files


def foreign(path):
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)")
    db.execute("INSERT INTO notes (text) VALUES ('mine')")
    db.commit()
    db.close()


@pytest.mark.parametrize(
    "argv",
    [
        ["results", "{f}"],
        ["results", "{f}", "--leaderboard"],
        ["report", "{f}", "-o", "{out}/r.html"],
        ["run", "--seeds", "1", "--results", "{f}"],
        ["compare", "--seeds", "1", "--memories", "window", "--results", "{f}"],
    ],
    ids=["results", "leaderboard", "report", "run", "compare"],
)
def test_a_foreign_sqlite_database_is_refused_unchanged(tmp_path, argv):
    path = tmp_path / "other.sqlite"
    foreign(path)
    before = digest(path)
    done = memgym(*(a.format(f=path, out=tmp_path) for a in argv))
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "not a memgym results file" in lines[0], done.stderr
    assert digest(path) == before
    assert listing(tmp_path) == ["other.sqlite"]
    with sqlite3.connect(path) as db:
        tables = [n for (n,) in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    assert tables == ["notes"]


@pytest.mark.parametrize("content", [b"", b"name,value\nx,1\n" * 50], ids=["empty", "text"])
@pytest.mark.parametrize("command", ["results", "report"])
def test_empty_and_text_files_are_refused_by_readers(tmp_path, content, command):
    path = tmp_path / "r.sqlite"
    path.write_bytes(content)
    argv = [command, str(path)] + (["-o", str(tmp_path / "r.html")] if command == "report" else [])
    done = memgym(*argv)
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1 and "not a memgym results file" in done.stderr
    assert path.read_bytes() == content
    assert listing(tmp_path) == ["r.sqlite"]


WRITERS = (
    ["run", "--seeds", "1", "--results", "{f}"],
    ["compare", "--seeds", "1", "--memories", "window", "--results", "{f}"],
)


@pytest.mark.parametrize("argv", WRITERS, ids=["run", "compare"])
def test_results_into_a_missing_folder_is_refused_as_such(tmp_path, argv):
    path = tmp_path / "missing" / "r.sqlite"
    done = memgym(*(a.format(f=path) for a in argv))
    assert done.returncode == 2
    assert done.stderr.strip() == f"error: cannot write {path}: no folder {path.parent}"
    assert listing(tmp_path) == []


def unprivileged() -> list[str]:
    """A prefix running a command without root's power to write anything (none when not root)."""
    if os.geteuid() != 0:
        return []
    if shutil.which("setpriv") is None:
        pytest.skip("root without setpriv: a read-only file is writable")
    return ["setpriv", "--bounding-set", "-dac_override,-dac_read_search,-fowner", "--"]


@pytest.mark.parametrize("argv", WRITERS, ids=["run", "compare"])
@pytest.mark.parametrize("where", ["file", "folder"])
def test_a_read_only_results_file_or_folder_is_refused_unchanged(results, tmp_path, argv, where):
    folder = tmp_path / "ro"
    folder.mkdir()
    path = folder / "r.sqlite"
    path.write_bytes(results.read_bytes())
    before = digest(path)
    target = path if where == "file" else folder
    target.chmod(target.stat().st_mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
    try:
        command = [sys.executable, "-m", "memgym", *(a.format(f=path) for a in argv)]
        done = subprocess.run(
            unprivileged() + command,
            env=env(), capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
    finally:
        target.chmod(target.stat().st_mode | stat.S_IWUSR)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: cannot write {path}: "), done.stderr
    assert digest(path) == before and listing(folder) == ["r.sqlite"]
