"""``bench/grpo_smollm2.sh``, the GRPO measurement's one command (the GPU run's), end to end on a
tiny model folder: demonstrations, an SFT start policy, its held-out side played beside GRPO,
GRPO under a wall-clock cap, and each lift paired on the held-out seeds (base -> start, start ->
GRPO)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("trl", reason="memgym train grpo needs the rl extra: pip install -e '.[rl]'")
pytest.importorskip("gymnasium", reason="needs the gym extra")

from tests.tiny_lm import saved_episode_lm

ROOT = Path(__file__).resolve().parents[2]


def test_the_script_trains_and_pairs_the_held_out_seeds(tmp_path: Path) -> None:
    tiny = saved_episode_lm(tmp_path / "tiny", 6)
    out = tmp_path / "run"
    python = Path(sys.executable).parent  # `python -m memgym` as the script calls it
    settings = {"TRAIN_SEEDS": "0-3", "HELDOUT": "1000-1001", "SFT_STEPS": "1",
                "GRPO_STEPS": "1", "GENERATIONS": "2", "PROCS": "2", "TRL_EXPERIMENTAL_SILENCE": "1",
                "SFT_LAYERS": "1", "SFT_ACCUMULATE": "2", "LORA_LAYERS": "1",
                "PATH": f"{python}{os.pathsep}{os.environ['PATH']}"}  # fmt: skip
    script = [
        "bash", str(ROOT / "bench" / "grpo_smollm2.sh"), str(tiny), str(out)
    ]  # fmt: skip
    done = subprocess.run(script, check=False, env={**os.environ, **settings}, cwd=ROOT, text=True,
                          capture_output=True, timeout=600)  # fmt: skip
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    for step in ("demos", "sft", "grpo", "heldout"):
        assert f"== {step}:" in done.stdout
    rewards = json.loads((out / "grpo" / "rewards.json").read_text())
    assert len(rewards["steps"]) == 1 and rewards["seeds"] == [0, 3]
    sft = json.loads((out / "sft" / "train.json").read_text())["config"]
    assert (sft["layers"], sft["accumulate"], rewards["lora_layers"]) == (1, 2, 1)  # the settings
    held = json.loads((out / "heldout.json").read_text())
    start = json.loads((out / "start.json").read_text())
    assert held["seeds"] == [1000, 1001] and held["before"]["model"] == str(out / "sft" / "model")
    assert held["after"]["model"] == str(out / "grpo" / "model")
    assert (
        start["before"]["model"] == str(tiny) and start["after"]["model"] == held["before"]["model"]
    )
    assert held["before"]["returns"] == start["after"]["returns"]  # the start side, read back
    diffs = [a - b for a, b in zip(held["after"]["returns"], held["before"]["returns"])]
    assert held["diff"]["mean"] == pytest.approx(sum(diffs) / 2)
    assert len(list((out / "episodes").iterdir())) == 6  # 2 seeds x 3 models: the start played once
