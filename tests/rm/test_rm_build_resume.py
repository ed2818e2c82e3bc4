"""A killed ``rm build`` resumes from its log and writes the files an unbroken build writes (on
two workers too); a folder holding a dataset, or another config's unfinished log, is refused
before any episode."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from memgym.rmdata.build_log import LOG
from memgym.rmdata.dataset import build, jobs, quick_config


class Killed(Exception):
    """Stands for the kill: raised from the progress callback."""


def test_killed_build_resumes_to_the_same_files(
    quick_data: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    _, manifest = quick_data
    total = len(jobs(quick_config()))
    finished = 0

    def kill_on_fourth(_job: object) -> None:
        nonlocal finished
        finished += 1
        if finished == 4:
            raise Killed

    with pytest.raises(Killed):
        build(quick_config(), tmp_path, on_done=kill_on_fourth)
    log = tmp_path / LOG
    lines = log.read_text(encoding="utf-8").splitlines(keepends=True)
    assert len(lines) == 1 + 4  # the config, then the four finished episodes
    assert not (tmp_path / "manifest.json").exists()
    # The kill also cut the fourth episode's line: that episode must run again.
    log.write_text("".join(lines[:-1]) + lines[-1][: len(lines[-1]) // 2], encoding="utf-8")

    # The rest runs on two spawned workers: the files equal those of one unbroken worker.
    again = build(quick_config(), tmp_path, workers=2)
    assert again["resumed_episodes"] == 3
    assert again["episodes"] == total
    assert {s: v["sha256"] for s, v in again["splits"].items()} == {
        s: v["sha256"] for s, v in manifest["splits"].items()
    }
    assert not log.exists()


def test_a_finished_dataset_is_never_overwritten(quick_data: tuple[Path, dict[str, Any]]) -> None:
    folder, _ = quick_data
    before = (folder / "manifest.json").read_bytes()
    with pytest.raises(ValueError, match="already holds a dataset"):
        build(quick_config(), folder)
    assert (folder / "manifest.json").read_bytes() == before


def test_another_configs_log_is_refused(tmp_path: Path) -> None:
    other = replace(quick_config(), seeds=quick_config().seeds + 1)
    (tmp_path / LOG).write_text(json.dumps({"config": {"seeds": other.seeds}}) + "\n")
    with pytest.raises(ValueError, match="unfinished build with another config"):
        build(quick_config(), tmp_path)


def test_cli_refuses_a_file_as_out_at_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from memgym.cli import main

    target = tmp_path / "data.txt"
    target.write_text("keep me")
    assert main(["rm", "build", "--quick", "--out", str(target)]) == 2
    assert "it is a file" in capsys.readouterr().err
    assert target.read_text() == "keep me"
