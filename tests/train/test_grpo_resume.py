"""A killed ``memgym train grpo`` resumes at the stage it was in and trains as an unbroken run:
the same reward curve and the same merged weights; another run's record in OUT is refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from safetensors.torch import load_file

pytest.importorskip("trl", reason="memgym train grpo needs the rl extra: pip install -e '.[rl]'")
pytest.importorskip("gymnasium", reason="needs the gym extra")

from memgym.train import grpo
from memgym.train.grpo import GRPORun, parse_stage, train_grpo
from memgym.train.grpo_progress import RECORD
from tests.tiny_lm import saved_episode_lm

ENV = "memgym/entities-lite-v0"


def _run(base: Path, out: Path, **extra: object) -> GRPORun:
    stages = [
        parse_stage(s, ENV) for s in ("1:entities=8,questions=1", "1:entities=12,questions=3")
    ]
    return GRPORun(base=str(base), out=str(out), stages=stages, seeds=range(4), generations=2,
                   max_turns=2, max_new_tokens=4, **extra)  # type: ignore[arg-type]  # fmt: skip


@pytest.mark.parametrize("lora_rank", [16, 0])
def test_a_killed_run_resumes_at_its_stage_and_trains_as_an_unbroken_one(
    lora_rank: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = saved_episode_lm(tmp_path / "base", 8, repeat=3)
    unbroken = train_grpo(_run(base, tmp_path / "a", lora_rank=lora_rank))

    real = grpo.grpo_config

    def killed_at_stage_1(trl, run, index, *rest):  # type: ignore[no-untyped-def]
        if index == 1:
            raise KeyboardInterrupt  # the kill, as stage 1 begins
        return real(trl, run, index, *rest)

    monkeypatch.setattr(grpo, "grpo_config", killed_at_stage_1)
    with pytest.raises(KeyboardInterrupt):
        train_grpo(_run(base, tmp_path / "b", lora_rank=lora_rank))
    record = json.loads((tmp_path / "b" / RECORD).read_text())
    assert record["done"] == 1 and [c["stage"] for c in record["curve"]] == [0]
    assert not (tmp_path / "b" / "model").exists()

    stages_started: list[int] = []

    def counting(trl, run, index, *rest):  # type: ignore[no-untyped-def]
        stages_started.append(index)
        return real(trl, run, index, *rest)

    monkeypatch.setattr(grpo, "grpo_config", counting)
    # A new --max-minutes may be given: it does not change what a stage trains.
    resumed = train_grpo(_run(base, tmp_path / "b", lora_rank=lora_rank, max_minutes=60.0))
    assert stages_started == [1]
    assert resumed == unbroken
    a = load_file(str(tmp_path / "a" / "model" / "model.safetensors"))
    b = load_file(str(tmp_path / "b" / "model" / "model.safetensors"))
    assert a.keys() == b.keys() and all(a[k].equal(b[k]) for k in a)
    assert not (tmp_path / "b" / RECORD).exists() and not (tmp_path / "b" / "progress").exists()
    rewards = json.loads((tmp_path / "b" / "rewards.json").read_text())
    assert rewards["steps"] == unbroken and len(rewards["stage_cpu_seconds"]) == 2


def test_another_runs_record_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / RECORD).write_text(
        json.dumps({"options": {"lr": 1.0}, "done": 1, "curve": [], "cpu": []})
    )
    with pytest.raises(ValueError, match="unfinished GRPO run with other options"):
        train_grpo(_run(tmp_path / "no-base-needed", out))
