"""The MemRM dataset: splits disjoint as promised, manifest true to the files, labels replayed."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from memgym.memory import make_memory
from memgym.reasoners.scripted import ScriptedReasoner
from memgym.rm.dataset import BuildConfig, Job, jobs, quick_config, run_job
from memgym.rm.replay import label_episode
from memgym.rm.rows import before_texts, read_jsonl
from memgym.tracks import get_track


def test_splits_hold_out_seeds_strategies_and_track(quick_data: tuple[Path, Any]) -> None:
    folder, _ = quick_data
    rows = {s: list(read_jsonl(folder / f"{s}.jsonl")) for s in
            ("train", "iid", "strategy_ood", "scenario_ood")}
    assert all(rows.values()), "every split has rows"
    held = set(quick_config().ood_strategies)
    test_seeds = {2}
    assert {r["track"] for r in rows["train"]} == {"codeqa"}
    assert not {r["seed"] for r in rows["train"]} & test_seeds
    assert {r["seed"] for r in rows["iid"]} == test_seeds
    assert not {r["strategy"] for r in rows["train"] + rows["iid"]} & held
    assert {r["strategy"] for r in rows["strategy_ood"]} <= held
    assert {r["track"] for r in rows["scenario_ood"]} == {"entities"}
    assert all(r["later"] > 0 for split in rows.values() for r in split)


def test_manifest_matches_files(quick_data: tuple[Path, Any]) -> None:
    folder, manifest = quick_data
    assert json.loads((folder / "manifest.json").read_text()) == manifest
    for split, stats in manifest["splits"].items():
        path = folder / stats["file"]
        assert stats["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
        rows = list(read_jsonl(path))
        harmful = sum(r["harmful"] for r in rows)
        assert (stats["rows"], stats["harmful"]) == (len(rows), harmful)
        if rows:
            assert stats["harmful_rate"] == pytest.approx(harmful / len(rows), abs=1e-4)
        assert sum(t["rows"] for t in stats["tracks"].values()) == len(rows)


def test_rows_are_the_replayed_compactions() -> None:
    job = Job("entities", "window:max_tokens=1000", 1, "train")
    _, rows, skipped = run_job(job)
    track = get_track("entities")
    scenario = track.generate(1)
    labelled = label_episode(
        scenario, make_memory("window:max_tokens=1000", track), ScriptedReasoner(track)
    )
    kept = [(r, lab) for r, lab in labelled if lab.later > 0]
    questions = [(e.step, e.text) for e in scenario.events if e.question is not None]
    assert skipped == len(labelled) - len(kept)
    assert len(rows) == len(kept)
    for row, (record, label) in zip(rows, kept, strict=True):
        assert row["harmful"] == int(label.harmful)
        assert row["label"] == ("HARMFUL" if label.harmful else "SAFE")
        assert row["delta"] == label.delta
        assert before_texts(row) == [m.content for m in record.before]
        assert row["after"] == [m.content for m in record.after]
        assert row["brief"] == scenario.brief
        earlier = [q for q in questions if q[0] < record.step]
        assert [(q["step"], q["text"]) for q in row["asked"]] == earlier
    counts = [len(row["asked"]) for row in rows]
    assert min(counts) == 0 and max(counts) >= 2


def test_bad_configs_are_refused() -> None:
    with pytest.raises(ValueError, match="ood-track"):
        jobs(BuildConfig(tracks=["entities", "codeqa"], ood_track="dialogue"))
    with pytest.raises(ValueError, match="held-out strategies"):
        jobs(BuildConfig(ood_strategies=["window:max_tokens=7"]))
    with pytest.raises(ValueError, match="test-seeds"):
        jobs(BuildConfig(seeds=2, test_seeds=2))


def test_workers_give_identical_files(quick_data: tuple[Path, Any], tmp_path: Path) -> None:
    from memgym.rm.dataset import build

    _, manifest = quick_data
    again = build(quick_config(), tmp_path, workers=2)
    assert {s: v["sha256"] for s, v in again["splits"].items()} == {
        s: v["sha256"] for s, v in manifest["splits"].items()
    }
