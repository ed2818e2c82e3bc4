"""Trajectories as a Hugging Face ``datasets`` dataset: the chat and segment JSONL files of
``memgym trajectories`` load with ``datasets.load_dataset("json", ...)`` on every question-stream
track, one row per line, and a chat record read back from the dataset (Arrow's fill of absent
keys, ``None``, dropped) replays to the scores it was recorded with."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

datasets = pytest.importorskip("datasets", reason="needs the rl extra: pip install -e '.[rl]'")

from memgym.cli import main
from memgym.envs.trajectories import replay
from memgym.tracks import stream_track_names


def _without_none(value: Any) -> Any:
    """``value`` with the ``None`` entries Arrow adds for keys a row lacks taken out."""
    if isinstance(value, dict):
        return {k: _without_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_none(v) for v in value]
    return value


@pytest.mark.parametrize("track", stream_track_names())
def test_trajectories_load_as_a_dataset_and_replay(track: str, tmp_path: Path) -> None:
    chat, segments = tmp_path / "t.jsonl", tmp_path / "s.jsonl"
    argv = ["trajectories", "--track", track, "--tier", "lite", "--seeds", "1",
            "--policies", "strategic", "--out", str(chat), "--segments", str(segments)]  # fmt: skip
    assert main(argv) == 0
    lines = [json.loads(x) for x in chat.read_text().splitlines()]
    rows = datasets.load_dataset("json", data_files=str(chat), split="train")
    assert rows.num_rows == len(lines) == 1
    assert set(rows.column_names) == {"messages", "tools", "memgym"}
    record = _without_none(rows[0])
    assert record["messages"] == _without_none(lines[0]["messages"])
    assert replay(record).scores() == lines[0]["memgym"]["scores"]
    parts = datasets.load_dataset("json", data_files=str(segments), split="train")
    assert parts.num_rows == len(segments.read_text().splitlines()) > 1
    assert sum(parts["reward"]) == pytest.approx(parts[0]["return"])
