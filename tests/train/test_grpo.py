"""``memgym train grpo`` end to end on a tiny model folder: a two-stage curriculum (short, then
longer scenarios), one GRPO step each, the reward curve written and drawn."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("trl", reason="memgym train grpo needs the rl extra: pip install -e '.[rl]'")
pytest.importorskip("gymnasium", reason="needs the gym extra")

from memgym import envs
from memgym.cli import main
from memgym.train.grpo import parse_stage
from tests.tiny_lm import tiny_lm


def test_a_stage_is_steps_and_track_parameters() -> None:
    stage = parse_stage("3:entities=8,questions=1,doc_style=kv", "memgym/entities-lite-v0")
    assert stage.steps == 3 and stage.params == {"entities": 8, "questions": 1, "doc_style": "kv"}
    for bad in ("x", "0", "2:entities"):
        with pytest.raises(ValueError, match="stage"):
            parse_stage(bad, "memgym/entities-lite-v0")


def test_grpo_runs_a_curriculum_and_draws_the_reward_curve(tmp_path: Path, capsys) -> None:
    env = envs.make("memgym/entities-lite-v0", entities=8, questions=1)
    obs, _ = env.reset(seed=0)
    env.close()
    tokenizer, model = tiny_lm([obs, '{"name": "next_event", "arguments": {}}'] * 3)
    base = tmp_path / "base"
    model.save_pretrained(base)
    tokenizer.save_pretrained(base)
    out = tmp_path / "out"
    code = main(
        ["train", "grpo", "--base", str(base), "--out", str(out),
         "--stage", "1:entities=8,questions=1", "--stage", "1:entities=12,questions=3",
         "--seeds", "0-3", "--generations", "2", "--max-turns", "2", "--max-new-tokens", "4"]
    )  # fmt: skip
    assert code == 0
    saved = json.loads((out / "rewards.json").read_text())
    assert [s["stage"] for s in saved["steps"]] == [0, 1]
    assert [s["params"] for s in saved["stages"]] == [
        {"entities": 8, "questions": 1},
        {"entities": 12, "questions": 3},
    ]
    page = (out / "report.html").read_text()
    assert page.count("<tr><td>") == 2 and "<polyline" in page
    points = page.split('points="')[1].split('"')[0].split()
    assert len(points) == 2
    assert (out / "model" / "config.json").is_file()
    printed = capsys.readouterr().out
    assert "step   1 stage 0: mean reward" in printed and "step   2 stage 1" in printed


def test_bad_arguments_fail_in_one_line(tmp_path: Path, capsys) -> None:
    args = ["train", "grpo", "--base", str(tmp_path), "--out", str(tmp_path / "o")]
    assert main([*args, "--env", "memgym/nothing-v0"]) == 2
    assert "unknown memgym environment" in capsys.readouterr().err
    assert main([*args, "--stage", "x"]) == 2
    assert "a stage reads STEPS" in capsys.readouterr().err
    assert main([*args, "--seeds", "9-2"]) == 2
    assert "--seeds reads A-B" in capsys.readouterr().err
