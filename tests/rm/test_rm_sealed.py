"""Sealed held-out data: its own seeds and scenarios, no label in the manifest, read only with
--open-sealed, each opening logged, a changed file refused; budget_ood on scenarios of its own."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from memgym.cli import main
from memgym.rm.rows import read_jsonl, write_jsonl
from memgym.rmdata.dataset import BuildConfig, file_sha256, jobs, seal_record


def _config(**extra: Any) -> BuildConfig:
    fields: dict[str, Any] = {
        "tracks": ["entities", "codeqa", "dialogue"],
        "strategies": ["window:max_tokens=1000", "mask:keep=3", "window:max_tokens=2000"],
        "ood_strategies": ["window:max_tokens=2000"],
        "family_strategies": ["relevance:max_tokens=1500"],
        "seeds": 12,
        "val_seeds": 2,
        "test_seeds": 4,
        "new_seeds": 3,
        "budget_seeds": 5,
    }
    return BuildConfig(**(fields | extra))


def _rm_eval(model: str, data: Path, *extra: str) -> int:
    """``memgym rm eval`` of ``model`` on the dataset folder ``data``: its exit code."""
    return main(["rm", "eval", "--model", model, "--data", str(data), *extra])


def test_every_split_has_scenarios_of_its_own() -> None:
    config = _config(sealed_seeds=20, sealed_start=500)
    todo = jobs(config)
    scenarios: dict[str, set[tuple[str, int]]] = {}
    for job in todo:
        scenarios.setdefault(job.split, set()).add((job.track, job.seed))
    assert "scenario_ood" not in scenarios  # the held-out track is sealed instead
    assert scenarios["sealed"] == {("dialogue", s) for s in range(500, 520)}
    test = {"iid", "budget_ood", "strategy_ood", "sealed"}
    for split in test:  # no scenario of a test split is in any other split
        others = set().union(*(v for k, v in scenarios.items() if k != split))
        assert not scenarios[split] & others, split
    assert {s for _, s in scenarios["budget_ood"]} == set(range(15, 20))
    sealed_strategies = {j.strategy for j in todo if j.split == "sealed"}
    assert sealed_strategies == {"window:max_tokens=1000", "mask:keep=3"}
    without = jobs(_config())
    assert "sealed" not in {j.split for j in without}
    assert {s for j in without if j.split == "scenario_ood" for s in [j.seed]} == set(range(12))


def test_sealed_seeds_must_not_overlap() -> None:
    with pytest.raises(ValueError, match="sealed-start"):
        jobs(_config(sealed_seeds=3, sealed_start=18))
    with pytest.raises(ValueError, match="at least 0"):
        jobs(_config(budget_seeds=-1))


def test_a_spent_sealed_range_is_refused() -> None:
    """Every range in SPENT_SEALED was opened once: sealing any seed of it again is refused, on
    its own track; the default start and a range beside a spent one are not."""
    from memgym.rmdata.dataset import SPENT_SEALED

    for track, first, last in SPENT_SEALED:
        for start in (first - 2, first, last):
            with pytest.raises(ValueError, match="spent"):
                jobs(_config(sealed_seeds=3, sealed_start=start, ood_track=track))
        assert jobs(_config(sealed_seeds=3, sealed_start=last + 1, ood_track=track))
        assert jobs(_config(sealed_seeds=3, sealed_start=first - 3, ood_track=track))
    assert jobs(_config(sealed_seeds=2))  # the default start is fresh


def _sealed_folder(quick_data: tuple[Path, Any], tmp_path: Path) -> Path:
    """The quick dataset with its held-out track's rows as a sealed split (a real build's
    manifest record, made by ``seal_record``)."""
    folder, _ = quick_data
    data = tmp_path / "data"
    shutil.copytree(folder, data)
    rows = [dict(r, split="sealed") for r in read_jsonl(data / "scenario_ood.jsonl")]
    write_jsonl(data / "sealed.jsonl", rows)
    manifest = json.loads((data / "manifest.json").read_text())
    config = BuildConfig(**manifest["config"])
    config.sealed_seeds, config.sealed_start = 2, 100
    manifest["sealed"] = seal_record(config, data / "sealed.jsonl", len(rows))
    (data / "manifest.json").write_text(json.dumps(manifest))
    return data


def test_sealed_opens_once_on_the_record(
    quick_data: tuple[Path, Any], lite_model: Any, tmp_path: Path, capsys: Any
) -> None:
    data = _sealed_folder(quick_data, tmp_path)
    model = str(lite_model[0])
    record = json.loads((data / "manifest.json").read_text())["sealed"]
    assert "harmful" not in json.dumps(record)  # no label count to read
    assert record["seeds"] == [100, 101]
    # not among the default splits, refused without --open-sealed
    assert _rm_eval(model, data, "--resamples", "20", "--json", str(tmp_path / "m.json")) == 0
    assert "sealed" not in json.loads((tmp_path / "m.json").read_text())
    capsys.readouterr()
    assert _rm_eval(model, data, "--split", "sealed") == 2
    err = capsys.readouterr().err.strip()
    assert "--open-sealed" in err and len(err.splitlines()) == 1
    assert json.loads((data / "manifest.json").read_text())["sealed"]["opened"] == []
    for _ in range(2):
        assert _rm_eval(model, data, "--split", "sealed", "--open-sealed", "--resamples", "20") == 0
    opened = json.loads((data / "manifest.json").read_text())["sealed"]["opened"]
    assert [o["model_sha256"] for o in opened] == [file_sha256(model)] * 2
    assert "opened before" in capsys.readouterr().err
    with open(data / "sealed.jsonl", "a") as fh:  # a changed file is refused
        fh.write((data / "iid.jsonl").read_text().splitlines()[0] + "\n")
    assert _rm_eval(model, data, "--split", "sealed", "--open-sealed") == 2
    assert "differs" in capsys.readouterr().err
