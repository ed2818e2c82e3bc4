"""The swe task cache: a hit returns the scenario generation made, changed inputs miss, a corrupt
or foreign entry is regenerated, and nothing is cached when it is off or a salt is set."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from memgym.cli import main
from memgym.tracks.swe import task_cache
from memgym.tracks.swe.track import SweTrack

SMALL = {"tasks": 1, "redo": 0}
"""One bug: the quickest generation (a few seconds of probe subprocesses)."""


class Counting(SweTrack):
    """The swe track, counting how often it really generates."""

    def __init__(self) -> None:
        super().__init__()
        self.made = 0

    def _generate(self, seed, p, name):  # type: ignore[no-untyped-def]
        self.made += 1
        return super()._generate(seed, p, name)


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(task_cache.CACHE_ENV, str(tmp_path))
    monkeypatch.delenv("MEMGYM_SALT", raising=False)
    monkeypatch.delenv("MEMGYM_SALT_FILE", raising=False)
    return tmp_path


def entries(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.json"))


def test_a_hit_is_the_scenario_generation_made_and_corrupt_entries_are_regenerated(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    track = Counting()
    first = track.generate(2, **SMALL)
    assert track.made == 1 and len(entries(folder)) == 1
    again = track.generate(2, **SMALL)
    assert track.made == 1  # read, not generated
    assert again.model_dump() == first.model_dump() and again.hash == first.hash
    monkeypatch.setenv(task_cache.CACHE_ENV, "off")
    assert SweTrack().generate(2, **SMALL).model_dump() == first.model_dump()
    monkeypatch.setenv(task_cache.CACHE_ENV, str(folder))

    (entry,) = entries(folder)
    whole = json.loads(entry.read_text())
    tampered = whole["scenario"].replace(first.events[0].text[:20], "x" * 20, 1)
    assert tampered != whole["scenario"]
    breakages = [
        "{not json",
        json.dumps({**whole, "scenario": tampered}),  # text changed, digest kept
        json.dumps({**whole, "key": "0" * 64}),  # another entry's file
        json.dumps({"key": whole["key"]}),  # parts missing
    ]
    for broken in breakages:
        entry.write_text(broken)
        assert task_cache.read(folder, whole["key"]) is None, broken[:40]
    regenerated = track.generate(2, **SMALL)
    assert track.made == 2 and regenerated.model_dump() == first.model_dump()
    assert json.loads(entry.read_text()) == whole  # written again, whole


def test_every_input_of_generation_is_in_the_key(monkeypatch: pytest.MonkeyPatch) -> None:
    params = SweTrack().params(None, **SMALL)
    base = task_cache.key(2, params, "fractions", "abc")
    assert base == task_cache.key(2, dict(params), "fractions", "abc")
    others = {
        task_cache.key(3, params, "fractions", "abc"),
        task_cache.key(2, {**params, "tasks": 2}, "fractions", "abc"),
        task_cache.key(2, params, "textwrap", "abc"),
        task_cache.key(2, params, "fractions", "abd"),
    }
    monkeypatch.setattr(task_cache.sys, "version", "another python")
    others.add(task_cache.key(2, params, "fractions", "abc"))
    monkeypatch.undo()
    monkeypatch.setattr(task_cache, "code_digest", lambda: "another swe source")
    others.add(task_cache.key(2, params, "fractions", "abc"))
    assert base not in others and len(others) == 6


def test_a_changed_parameter_misses(folder: Path) -> None:
    track = Counting()
    track.generate(2, **SMALL)
    track.generate(2, **{**SMALL, "target_tokens": 3000})
    assert track.made == 2 and len(entries(folder)) == 2


def test_nothing_is_cached_when_off_or_salted(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MEMGYM_SALT", "secret")
    assert task_cache.cache_dir() is None
    monkeypatch.delenv("MEMGYM_SALT")
    assert task_cache.cache_dir() == folder
    monkeypatch.setenv(task_cache.CACHE_ENV, "off")
    assert task_cache.cache_dir() is None
    monkeypatch.delenv(task_cache.CACHE_ENV)
    monkeypatch.setenv("XDG_CACHE_HOME", str(folder / "xdg"))
    assert task_cache.cache_dir() == folder / "xdg" / "memgym" / "swe"


def test_audit_no_cache_turns_the_cache_off(
    folder: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["audit", "--no-cache", "--track", "no-such-track"]) == 2
    assert "no-such-track" in capsys.readouterr().err
    assert task_cache.cache_dir() is None
