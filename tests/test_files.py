"""``write_atomic``: the file holds the old text or the whole new one, never a part."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from memgym import files
from memgym.files import write_atomic


def test_write_atomic_replaces_the_whole_file(tmp_path: Path) -> None:
    target = tmp_path / "log.jsonl"
    write_atomic(target, "old\n")
    write_atomic(target, "new ü\n")
    assert target.read_text(encoding="utf-8") == "new ü\n"
    assert [p.name for p in tmp_path.iterdir()] == ["log.jsonl"]


def test_a_write_killed_midway_leaves_the_old_file(tmp_path: Path, monkeypatch) -> None:
    target = tmp_path / "log.jsonl"
    target.write_text("every line so far\n")

    def killed(_src: str, _dst: str) -> None:
        raise KeyboardInterrupt  # the kill arrives after the text, before the replace

    monkeypatch.setattr(files.os, "replace", killed)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(target, "a new text")
    assert target.read_text() == "every line so far\n"
    assert [p.name for p in tmp_path.iterdir()] == ["log.jsonl"]  # no stray temporary file


def test_the_written_file_keeps_the_mode_an_open_would_give(tmp_path: Path) -> None:
    import os

    old = os.umask(0o022)
    try:
        fresh, kept = tmp_path / "fresh.json", tmp_path / "kept.json"
        write_atomic(fresh, "{}")
        kept.write_text("{}")
        kept.chmod(0o640)
        write_atomic(kept, b"[]")
    finally:
        os.umask(old)
    assert fresh.stat().st_mode & 0o777 == 0o644  # not mkstemp's 0600
    assert kept.stat().st_mode & 0o777 == 0o640 and kept.read_bytes() == b"[]"


def test_a_pipe_is_written_directly(tmp_path: Path) -> None:
    import os
    import threading

    pipe = tmp_path / "out"
    os.mkfifo(pipe)
    got: list[str] = []
    reader = threading.Thread(target=lambda: got.append(pipe.read_text()))
    reader.start()
    write_atomic(pipe, "through the pipe")  # a pipe (or /dev/stdout) is not replaced by a file
    reader.join(10)
    assert got == ["through the pipe"] and pipe.is_fifo()
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_a_link_is_written_through(tmp_path: Path) -> None:
    """A symbolic link to a file: the file it names gets the text, the link stays a link."""
    (tmp_path / "real").mkdir()
    target = tmp_path / "real" / "out.jsonl"
    target.write_text("old\n")
    link = tmp_path / "current.jsonl"
    link.symlink_to(target)
    write_atomic(link, "new\n")
    assert link.is_symlink() and target.read_text() == "new\n"


def test_write_atomic_flushes_the_file_before_the_rename_and_the_folder_after(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A power loss leaves the old file or the whole new one only when the new data reaches the
    disk before the rename replaces the old name: the temporary file is synced while it is still
    the temporary file, then the folder that now names it."""
    target = tmp_path / "model.json"
    target.write_text("old")
    synced: list[tuple[str, bool]] = []
    real_fsync = os.fsync

    def watching_fsync(fd: int) -> None:
        where = os.readlink(f"/proc/self/fd/{fd}")
        synced.append((where, Path(where).exists() and target.read_text() == "old"))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", watching_fsync)
    write_atomic(target, "new")
    assert target.read_text() == "new"
    assert [Path(p).name.startswith(".model.json.") for p, _ in synced] == [True, False]
    assert synced[0][1], "the data was synced before it replaced the old file"
    assert Path(synced[1][0]) == tmp_path, "then the folder holding the new name"


def _unwritable_folder(tmp_path: Path) -> Path:
    """A folder no file can be created in: read-only for a user, ``/proc`` for root (who may
    write anywhere a permission would stop a user)."""
    if os.geteuid() == 0:
        if not Path("/proc/self").is_dir():
            pytest.skip("needs /proc (Linux) when run as root")
        return Path("/proc")
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    return folder


def test_a_file_that_cannot_be_made_is_named_not_its_temporary(tmp_path: Path) -> None:
    """The error names the file asked for (``report.html``), never the hidden temporary file
    written beside it."""
    target = _unwritable_folder(tmp_path) / "report.html"
    with pytest.raises(OSError) as caught:
        write_atomic(target, "<html>")
    assert caught.value.filename == str(target) and ".tmp" not in str(caught.value)
    assert not target.exists()
