"""``play_lockstep`` plays a batch of episodes (a group of one scenario, or scenarios of different
prompts) in one batch: every row is computed as if alone (its logprobs are those one unpadded
forward pass gives its sequence, which is what the trainer scores), its observations are its own
env's, and a GRPO batch (every group of one env id) is played in one ``generate`` call a turn,
each episode its own prompt's and returned in the batch's order."""

from __future__ import annotations

from itertools import groupby
from types import SimpleNamespace
from typing import Any

import pytest

pytest.importorskip("transformers", reason="needs the train extra")
pytest.importorskip("gymnasium", reason="needs the gym extra")

import torch

from memgym import envs
from memgym.envs.play import play, play_lockstep, prompt_ids, shown_ids
from memgym.envs.shared_prefix import MIN_SHARED, SharedPrefix
from memgym.envs.trl_rollout import prompts, rollout_func
from tests.tiny_lm import tiny_lm

PARAMS = {"entities": 4, "questions": 1, "corrections": 1, "updates": 1, "doc_style": "kv"}
ENV = "memgym/entities-lite-v0"


class EchoEnv:
    """An env whose observation repeats the action (so rows see observations of different
    lengths), that ends after ``turns`` actions (so rows end at different turns) and whose first
    observation's length depends on the seed (so prompts differ in length)."""

    def __init__(self, turns: int) -> None:
        self.turns = turns
        self.taken = 0

    def reset(self, seed: int) -> tuple[str, dict[str, Any]]:
        self.taken = 0
        return f"Say anything. Scenario {seed}." + " Again." * (seed % 4), {}

    def step(self, action: str) -> tuple[str, float, bool, bool, dict[str, Any]]:
        self.taken += 1
        ended = self.taken >= self.turns
        return f"You said: {action} {action}", float(len(action)), ended, False, {}

    def close(self) -> None:
        pass


def eager_to_stop(model: Any, stop: int, bias: float = 6.5) -> Any:
    """``model`` with a bias towards ``stop`` at its output (about one token in four), so sampled
    turns end at different lengths."""
    head = torch.nn.Linear(model.lm_head.in_features, model.lm_head.out_features, bias=True)
    with torch.no_grad():
        head.weight.copy_(model.lm_head.weight)
        head.bias.zero_()
        head.bias[stop] = bias
    model.lm_head = head
    model.generation_config.top_k = 0  # sample from the whole distribution
    return model


def model_turns(episode: dict[str, Any]) -> list[list[int]]:
    """The runs of model tokens (``env_mask`` 1) of ``episode``'s completion, in order."""
    pairs = zip(episode["completion_ids"], episode["env_mask"], strict=True)
    return [[t for t, _ in run] for m, run in groupby(pairs, key=lambda p: p[1]) if m]


def rescored(model: Any, episode: dict[str, Any]) -> list[float]:
    """The logprob of each model token of ``episode`` from one unpadded forward pass."""
    ids = episode["prompt_ids"] + episode["completion_ids"]
    with torch.no_grad():
        logp = model(input_ids=torch.tensor([ids])).logits[0].log_softmax(-1)
    start = len(episode["prompt_ids"])
    pairs = zip(episode["completion_ids"], episode["env_mask"], strict=True)
    return [float(logp[start + j - 1, token]) for j, (token, m) in enumerate(pairs) if m]


def test_each_row_is_computed_as_if_alone() -> None:
    first = EchoEnv(1).reset(seed=7)[0]
    tokenizer, model = tiny_lm([first, "You said: hello there"] * 3)
    model = eager_to_stop(model, tokenizer.eos_token_id)
    torch.manual_seed(1)
    rows = [EchoEnv(turns) for turns in (2, 4, 3)]
    episodes = play_lockstep(model, tokenizer, rows, 7, 4, 8, 1.0)
    model.eval()
    turn_lengths = set()
    for env, episode in zip(rows, episodes, strict=True):
        assert len(episode["actions"]) == env.turns
        assert episode["env_reward"] == sum(len(a) for a in episode["actions"])
        own = [lp for lp, m in zip(episode["logprobs"], episode["env_mask"], strict=True) if m]
        assert own == pytest.approx(rescored(model, episode), abs=1e-4)
        # the completion: each turn's tokens, then its own env's echo of that action (none after
        # the last: the episode ended)
        turns = model_turns(episode)
        turn_lengths.update(len(t) for t in turns)
        expected: list[int] = []
        for k, (turn, action) in enumerate(zip(turns, episode["actions"], strict=True)):
            expected += turn
            if k < env.turns - 1:
                expected += shown_ids(tokenizer, f"You said: {action} {action}")
        assert expected == episode["completion_ids"]
    # the group took padding of both kinds: turns of several lengths, observations of several
    assert len(turn_lengths) > 1
    assert len({len(e["completion_ids"]) for e in episodes}) == len(episodes)


def test_rows_of_different_prompts_are_computed_as_if_alone() -> None:
    seeds = [7, 8, 42]
    firsts = [EchoEnv(1).reset(seed=s)[0] for s in seeds]
    tokenizer, model = tiny_lm([*firsts, "You said: hello there"] * 3)
    model = eager_to_stop(model, tokenizer.eos_token_id)
    lengths = {len(prompt_ids(tokenizer, f)) for f in firsts}
    assert len(lengths) > 1  # the prompts need padding to share a batch
    prefix = SharedPrefix(model)
    torch.manual_seed(2)
    rows = [EchoEnv(turns) for turns in (3, 2, 3)]
    episodes = play_lockstep(model, tokenizer, rows, seeds, 3, 8, 1.0, prefix)
    model.eval()
    assert len(prefix.ids) >= MIN_SHARED  # the batch started from the shared opening's cache
    for first, env, episode in zip(firsts, rows, episodes, strict=True):
        assert episode["prompt_ids"] == prompt_ids(tokenizer, first)
        assert len(episode["actions"]) == env.turns
        own = [lp for lp, m in zip(episode["logprobs"], episode["env_mask"], strict=True) if m]
        assert own == pytest.approx(rescored(model, episode), abs=1e-4)
    with pytest.raises(ValueError, match="2 seeds for 3 envs"):
        play_lockstep(model, tokenizer, rows, seeds[:2], 3, 8, 1.0)


def test_greedy_rows_of_different_seeds_are_their_single_episodes() -> None:
    env = envs.make(ENV, **PARAMS)
    seeds = [3, 5, 8]
    tokenizer, model = tiny_lm([env.reset(seed=s)[0] for s in seeds] * 2)
    batch = [envs.make(ENV, **PARAMS) for _ in seeds]
    try:
        alone = [play(model, tokenizer, env, s, 3, 6, 0.0) for s in seeds]
        together = play_lockstep(model, tokenizer, batch, seeds, 3, 6, 0.0, SharedPrefix(model))
    finally:
        for e in (env, *batch):
            e.close()
    assert len({len(e["prompt_ids"]) for e in alone}) > 1
    for one, row in zip(alone, together, strict=True):
        assert row["prompt_ids"] == one["prompt_ids"]
        assert row["completion_ids"] == one["completion_ids"]
        assert row["actions"] == one["actions"]
        assert row["env_reward"] == one["env_reward"]


def test_greedy_rows_are_the_single_episode() -> None:
    env = envs.make(ENV, **PARAMS)
    tokenizer, model = tiny_lm([env.reset(seed=3)[0]] * 3)
    group = [envs.make(ENV, **PARAMS) for _ in range(2)]
    try:
        alone = play(model, tokenizer, env, 3, 3, 6, 0.0)
        together = play_lockstep(model, tokenizer, group, 3, 3, 6, 0.0)
    finally:
        for e in (env, *group):
            e.close()
    assert [e["completion_ids"] for e in together] == [alone["completion_ids"]] * 2
    assert [e["actions"] for e in together] == [alone["actions"]] * 2


def test_a_batch_is_played_in_one_generate_call_a_turn_in_its_order() -> None:
    env = envs.make(ENV, **PARAMS)
    firsts = {seed: env.reset(seed=seed)[0] for seed in (3, 5)}
    tokenizer, model = tiny_lm(list(firsts.values()) * 3)
    try:
        alone = {seed: play(model, tokenizer, env, seed, 2, 4, 0.0) for seed in firsts}
    finally:
        env.close()
    calls: list[int] = []
    generate = model.generate

    def counted(**kwargs: Any) -> Any:
        calls.append(kwargs["input_ids"].shape[0])
        return generate(**kwargs)

    model.generate = counted
    batch = [prompts(ENV, [s])[0] for s in (3, 3, 5, 3, 5)]
    out = rollout_func(max_turns=2, max_new_tokens=4, temperature=0.0, **PARAMS)(
        batch, SimpleNamespace(model=model, processing_class=tokenizer)
    )
    assert calls == [5, 5]  # two turns, each one call for the whole batch (both groups)
    seeds = [int(prompt.rsplit(":", 1)[1]) for prompt in batch]
    assert out["prompt_ids"] == [alone[s]["prompt_ids"] for s in seeds]
    assert out["prompt_ids"][0] != out["prompt_ids"][2]  # the two groups' prompts differ
    assert out["completion_ids"] == [alone[s]["completion_ids"] for s in seeds]
    assert out["env_reward"] == [alone[s]["env_reward"] for s in seeds]
