"""``train grpo --max-minutes`` is a wall-clock bound: the step under way when it passes is given
up (in its rollouts or between its loss passes) and the weights of the last finished step are
saved, equal to those of a run planned for that many steps."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from safetensors.torch import load_file

pytest.importorskip("trl", reason="memgym train grpo needs the rl extra: pip install -e '.[rl]'")
pytest.importorskip("gymnasium", reason="needs the gym extra")

from memgym.envs import trl_rollout
from memgym.train.grpo import GRPORun, parse_stage, train_grpo
from tests.tiny_lm import saved_episode_lm

ENV = "memgym/entities-lite-v0"


def _run(base: Path, out: Path, steps: int, **extra: Any) -> GRPORun:
    return GRPORun(base=str(base), out=str(out), stages=[parse_stage(f"{steps}:entities=8,questions=1", ENV)],
                   seeds=range(4), generations=2, max_turns=2, max_new_tokens=4, **extra)  # fmt: skip


@pytest.fixture(scope="module")
def one_step(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, list[Any]]:
    """The base model, and the folder and curve of a run planned for one step."""
    folder = tmp_path_factory.mktemp("grpo")
    base = saved_episode_lm(folder / "base", 8, repeat=3)
    return base, folder / "one", train_grpo(_run(base, folder / "one", 1))


@pytest.mark.parametrize("during", ["rollouts", "loss passes"])
def test_the_step_under_way_is_given_up_and_the_last_finished_one_kept(
    during: str, one_step: tuple[Path, Path, list[Any]], tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    base, one, curve = one_step

    played = {"batches": 0, "late": False}
    real = trl_rollout.play_lockstep

    def counted(*args: Any, **kwargs: Any) -> Any:
        played["batches"] += 1
        second = played["batches"] == 2  # step 2's rollouts
        if second and during == "rollouts":
            played["late"] = True  # the bound passes as they begin
        episodes = real(*args, **kwargs)
        if second and during == "loss passes":
            played["late"] = True  # ... or once they are played, before the first loss pass ends
        return episodes

    monkeypatch.setattr(trl_rollout, "play_lockstep", counted)
    cut = train_grpo(
        _run(base, tmp_path / "cut", 3, max_minutes=1.0, micro_batch=1),
        clock=lambda: 1e9 if played["late"] else 0.0,
    )
    assert played["batches"] == 2  # step 3 never began
    assert cut == curve  # step 2 left no mark on the curve
    saved = json.loads((tmp_path / "cut" / "rewards.json").read_text())
    assert saved["stopped_at_max_minutes"] is True and len(saved["steps"]) == 1
    ours = load_file(str(tmp_path / "cut" / "model" / "model.safetensors"))
    theirs = load_file(str(one / "model" / "model.safetensors"))
    assert ours.keys() == theirs.keys()
    assert all(ours[k].equal(theirs[k]) for k in ours)  # step 2's update was not made
