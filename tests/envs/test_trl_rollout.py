"""TRL's GRPOTrainer trains a tiny model (built from a config, with a tokenizer trained here) on
memgym episodes through ``rollout_func``: two real optimisation steps on CPU, the reward each
rollout is paid recomputed by replaying its actions on a fresh env."""

from __future__ import annotations

import json
import os
from typing import Any

import pytest

pytest.importorskip("trl", reason="the TRL adapter needs the rl extra: pip install -e '.[rl]'")
pytest.importorskip("gymnasium", reason="needs the gym extra")

import datasets
import torch
from trl import GRPOConfig, GRPOTrainer

from memgym import envs
from memgym.envs.trl_rollout import env_reward, parse_prompt, prompts, rollout_func
from tests.tiny_lm import tiny_lm

ENV = "memgym/entities-lite-v0"
SHORT = {"entities": 8, "questions": 1}


def test_prompts_name_the_env_and_seed() -> None:
    assert prompts(ENV, [3, 4]) == [f"memgym:{ENV}:3", f"memgym:{ENV}:4"]
    assert parse_prompt([{"role": "user", "content": f"memgym:{ENV}:7"}]) == (ENV, 7)
    with pytest.raises(ValueError, match="memgym:<env id>:<seed>"):
        parse_prompt("what is 2 + 2")


def test_grpo_trains_two_steps_on_memgym_episodes(tmp_path) -> None:
    os.environ.setdefault("TRL_EXPERIMENTAL_SILENCE", "1")
    env = envs.make(ENV, **SHORT)
    obs, _ = env.reset(seed=0)
    env.close()
    actions = [json.dumps({"name": "next_event", "arguments": {}})]
    tokenizer, model = tiny_lm([obs, *actions] * 3)
    played: list[dict[str, list[Any]]] = []
    inner = rollout_func(max_turns=3, max_new_tokens=6, **SHORT)

    def rollout(batch: list[Any], trainer: Any) -> dict[str, list[Any]]:
        out = inner(batch, trainer)
        played.append({**out, "prompt": list(batch)})
        return out

    trainer = GRPOTrainer(
        model=model,
        reward_funcs=env_reward,
        train_dataset=datasets.Dataset.from_dict({"prompt": prompts(ENV, range(4))}),
        args=GRPOConfig(
            output_dir=str(tmp_path),
            max_steps=2,
            per_device_train_batch_size=2,
            num_generations=2,
            use_cpu=True,
            report_to=[],
            logging_steps=1,
            save_strategy="no",
            learning_rate=1e-3,
        ),
        processing_class=tokenizer,
        rollout_func=rollout,
    )
    before = [p.detach().clone() for p in model.parameters()]
    trainer.train()
    assert trainer.state.global_step == 2
    logged = [h for h in trainer.state.log_history if "reward" in h]
    assert len(logged) == 2
    assert len(played) == 2 and all(len(p["prompt"]) == 2 for p in played)
    replay = envs.make(ENV, **SHORT)
    for batch in played:
        for i, prompt in enumerate(batch["prompt"]):
            _, seed = parse_prompt(prompt)
            mask, ids = batch["env_mask"][i], batch["completion_ids"][i]
            assert len(mask) == len(ids) == len(batch["logprobs"][i])
            assert sum(mask) <= 3 * 6 and (0 in mask) == (len(batch["actions"][i]) > 1)
            replay.reset(seed=seed)
            earned = 0.0
            for action in batch["actions"][i]:
                _, reward, *_ = replay.step(action)
                earned += float(reward)
            assert batch["env_reward"][i] == earned
    replay.close()
    means = [h["rewards/env_reward/mean"] for h in logged]
    for mean, batch in zip(means, played, strict=True):
        assert mean == pytest.approx(sum(batch["env_reward"]) / 2)
    changed = any(not torch.equal(a, b) for a, b in zip(before, model.parameters(), strict=True))
    assert changed or all(h["reward_std"] == 0 for h in logged)  # zero advantage: no gradient
