"""``trl_rollout.play`` keeps the key/value cache from turn to turn: the model encodes each token
of an episode once (counted at the model's input), and greedy actions are those it takes with
a fresh cache every turn."""

from __future__ import annotations

from typing import Any

import pytest

pytest.importorskip("transformers", reason="needs the train extra")
pytest.importorskip("gymnasium", reason="needs the gym extra")

from memgym import envs
from memgym.envs.trl_rollout import play
from tests.tiny_lm import tiny_lm

PARAMS = {"entities": 4, "questions": 1, "corrections": 1, "updates": 1, "doc_style": "kv"}


def _counted(model: Any) -> list[int]:
    """Positions fed to ``model`` per forward call (a hook that records, changes nothing)."""
    fed: list[int] = []
    model.register_forward_pre_hook(
        lambda _m, args, kwargs: fed.append(kwargs["input_ids"].shape[1]), with_kwargs=True
    )
    return fed


def _episode(cached: bool) -> tuple[dict[str, Any], list[int]]:
    env = envs.make("memgym/entities-lite-v0", **PARAMS)
    obs, _ = env.reset(seed=3)
    tokenizer, model = tiny_lm([obs] * 3)
    model.train()
    fed = _counted(model)
    if not cached:
        generate = model.generate
        model.generate = lambda **kw: generate(**{**kw, "cache": None, "past_key_values": None})
    try:
        episode = play(model, tokenizer, env, 3, max_turns=4, max_new_tokens=6, temperature=0.0)
    finally:
        env.close()
    assert model.training, "play puts the model back in training mode"
    return episode, fed


def test_each_token_is_encoded_once_and_actions_match_a_fresh_cache() -> None:
    episode, fed = _episode(cached=True)
    fresh, fed_fresh = _episode(cached=False)
    assert episode["completion_ids"] == fresh["completion_ids"]
    assert len(episode["actions"]) == 4
    total = len(episode["prompt_ids"]) + len(episode["completion_ids"])
    last_shown = len(episode["completion_ids"]) - max(
        i + 1 for i, m in enumerate(episode["env_mask"]) if m
    )
    # every position once, but the last observation (never fed: the episode ended) and the last
    # sampled token of the last turn
    assert sum(fed) == total - last_shown - 1
    assert sum(fed_fresh) > 2 * sum(fed)
