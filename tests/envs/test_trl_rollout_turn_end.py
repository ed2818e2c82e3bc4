"""A model turn ends on the tokenizer's end-of-turn token whatever the model's generation config
says: a converted model whose config names another token (or none) would otherwise run every
action on to ``max_new_tokens``, past its end of turn into text the env cannot read."""

from __future__ import annotations

import pytest

pytest.importorskip("transformers", reason="needs the train extra")
pytest.importorskip("gymnasium", reason="needs the gym extra")

from itertools import groupby

from memgym import envs
from memgym.envs.play import play, turn_end_ids
from tests.tiny_lm import tiny_lm


def _always_ends(model, end: int) -> None:
    """Make the model's head put all its weight on ``end``: every token it picks ends a turn."""
    import torch

    head = torch.nn.Linear(model.lm_head.in_features, model.lm_head.out_features, bias=True)
    with torch.no_grad():
        head.weight.zero_()
        head.bias.zero_()
        head.bias[end] = 10.0
    model.lm_head = head


@pytest.mark.parametrize("config_eos", [None, 0])
def test_each_turn_stops_at_the_tokenizers_end_of_turn(config_eos) -> None:
    env = envs.make("memgym/entities-lite-v0", entities=4, questions=1)
    obs, _ = env.reset(seed=0)
    tokenizer, model = tiny_lm([obs])
    assert tokenizer.eos_token_id in turn_end_ids(tokenizer)
    _always_ends(model, tokenizer.eos_token_id)
    model.generation_config.eos_token_id = config_eos  # none, or the padding token
    try:
        episode = play(model, tokenizer, env, 0, max_turns=3, max_new_tokens=8, temperature=0.0)
    finally:
        env.close()
    # one token a turn, the end-of-turn token, then the observation shown back (mask 0)
    turns = [len(list(g)) for k, g in groupby(episode["env_mask"]) if k]
    assert turns == [1] * len(episode["actions"]) and len(episode["actions"]) == 3
    model_tokens = [t for t, m in zip(episode["completion_ids"], episode["env_mask"]) if m]
    assert set(model_tokens) == {tokenizer.eos_token_id}
