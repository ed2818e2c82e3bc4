"""``write_atomic``: the file holds the old text or the whole new one, never a part."""

from __future__ import annotations

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
