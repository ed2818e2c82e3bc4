"""The MemRM dataset: splits disjoint as promised, manifest true to the files, labels replayed."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from memgym.memory import make_memory
from memgym.reasoners.scripted import ScriptedReasoner
from memgym.rm.rows import before_texts, read_jsonl
from memgym.rmdata.dataset import SPLITS, BuildConfig, Job, add_split, jobs, quick_config, run_job
from memgym.rmdata.replay import actual_run, label_both
from memgym.tracks import get_track


def test_splits_hold_out_seeds_strategies_and_track(quick_data: tuple[Path, Any]) -> None:
    folder, _ = quick_data
    rows = {s: list(read_jsonl(folder / f"{s}.jsonl")) for s in SPLITS}
    assert all(rows.values()), "every split has rows"
    config = quick_config()
    held = set(config.ood_strategies)
    families = set(config.family_strategies)
    assert {r["track"] for r in rows["train"]} == {"codeqa"}
    assert {r["seed"] for r in rows["train"]} == {0, 1}
    assert {r["seed"] for r in rows["val"]} == {2}
    assert {r["seed"] for r in rows["iid"]} == {3}
    assert not {r["strategy"] for r in rows["train"] + rows["val"] + rows["iid"]} & (
        held | families
    )
    assert {r["strategy"] for r in rows["budget_ood"]} <= held
    assert {r["seed"] for r in rows["budget_ood"]} == {5}  # scenarios of its own
    assert {r["strategy"] for r in rows["strategy_ood"]} == families
    assert {r["seed"] for r in rows["strategy_ood"]} == {4}  # new scenarios
    assert {r["track"] for r in rows["scenario_ood"]} == {"entities"}
    assert {r["seed"] for r in rows["scenario_ood"]} == {0, 1, 2, 3}  # every seed
    assert all(r["later"] > 0 for split in rows.values() for r in split)


def test_shared_label_charges_more_harm_than_single_undo(quick_data: tuple[Path, Any]) -> None:
    """Every recoverable lost answer is charged by the shared label; the single-undo label
    leaves some uncharged (the manifest counts both, recomputed from the rows here)."""
    folder, manifest = quick_data
    lost = {
        k: sum(s["lost_answers"][k] for s in manifest["splits"].values())
        for k in ("recoverable", "charged_single", "charged_shared")
    }
    assert lost["charged_shared"] == lost["recoverable"] > lost["charged_single"] > 0
    for split in SPLITS:
        rows = list(read_jsonl(folder / f"{split}.jsonl"))
        assert all(r["harmful"] == int(r["charged"] > 0) for r in rows)
        stats = manifest["splits"][split]
        assert stats["harmful_single"] == sum(r["harmful_single"] for r in rows)


def test_manifest_matches_files(quick_data: tuple[Path, Any]) -> None:
    folder, manifest = quick_data
    assert json.loads((folder / "manifest.json").read_text()) == manifest
    for stats in manifest["splits"].values():
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
    _, rows, skipped, stats = run_job(job)
    track = get_track("entities")
    scenario = track.generate(1)
    reasoner = ScriptedReasoner(track)
    asked, records = actual_run(scenario, make_memory("window:max_tokens=1000", track), reasoner)
    both = label_both(scenario.brief, asked, records, reasoner)
    kept = [i for i, lab in enumerate(both.single) if lab.later > 0]
    questions = [(e.step, e.text) for e in scenario.events if e.question is not None]
    assert skipped == len(records) - len(kept)
    assert len(rows) == len(kept)
    assert stats == both.stats()
    for row, i in zip(rows, kept, strict=True):
        record, label = records[i], both.single[i]
        assert row["harmful_single"] == int(label.harmful)
        assert row["harmful"] == int(both.shared[i])
        assert row["charged"] == sum(i in c.charged for c in both.charges)
        assert row["label"] == ("HARMFUL" if both.shared[i] else "SAFE")
        assert row["delta"] == label.delta
        assert before_texts(row) == [m.content for m in record.before]
        assert row["after"] == [m.content for m in record.after]
        assert row["brief"] == scenario.brief
        earlier = [q for q in questions if q[0] < record.step]
        assert [(q["step"], q["text"]) for q in row["asked"]] == earlier
    counts = [len(row["asked"]) for row in rows]
    assert min(counts) == 0 and max(counts) >= 2


def test_add_split_takes_labelled_rows_made_elsewhere(
    quick_data: tuple[Path, Any], tmp_path: Path
) -> None:
    import shutil

    folder, _ = quick_data
    data = tmp_path / "data"
    shutil.copytree(folder, data)
    rows = list(read_jsonl(data / "iid.jsonl"))[:10]
    outside = [dict(r, track="tau2") for r in rows]
    manifest = add_split(data, "interactive", outside)
    assert manifest["added_splits"] == ["interactive"]
    stats = manifest["splits"]["interactive"]
    assert (stats["rows"], stats["harmful"]) == (10, sum(r["harmful"] for r in rows))
    assert json.loads((data / "manifest.json").read_text()) == manifest
    with pytest.raises(ValueError, match="taken"):
        add_split(data, "iid", outside)
    with pytest.raises(ValueError, match="lacks episode"):
        add_split(data, "more", [{k: v for k, v in outside[0].items() if k != "episode"}])


def test_bad_configs_are_refused() -> None:
    with pytest.raises(ValueError, match="ood-track"):
        jobs(BuildConfig(tracks=["entities", "codeqa"], ood_track="dialogue"))
    with pytest.raises(ValueError, match="held-out strategies"):
        jobs(BuildConfig(ood_strategies=["window:max_tokens=7"]))
    with pytest.raises(ValueError, match="test-seeds"):
        jobs(BuildConfig(seeds=2, test_seeds=2))
    with pytest.raises(ValueError, match="val-seeds"):
        jobs(BuildConfig(seeds=10, val_seeds=4, test_seeds=6))
    with pytest.raises(ValueError, match="held-out families"):
        jobs(BuildConfig(family_strategies=["window:max_tokens=600"]))
