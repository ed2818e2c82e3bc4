"""``memgym.envs.play.play`` keeps the key/value cache from turn to turn: the model encodes each token
of an episode once (counted at the model's input), and greedy actions are those it takes with
a fresh cache every turn."""

from __future__ import annotations

from typing import Any

import pytest

pytest.importorskip("transformers", reason="needs the train extra")
pytest.importorskip("gymnasium", reason="needs the gym extra")

from memgym import envs
from memgym.envs.play import play
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


def test_a_shared_prefix_is_encoded_once_and_changes_no_action() -> None:
    from memgym.envs.shared_prefix import MIN_SHARED, SharedPrefix

    env = envs.make("memgym/entities-lite-v0", **PARAMS)
    firsts = [env.reset(seed=s)[0] for s in (3, 5)]
    tokenizer, model = tiny_lm(firsts * 2)
    fed = _counted(model)
    prefix = SharedPrefix(model)
    try:
        shared = [play(model, tokenizer, env, s, 3, 6, 0.0, prefix) for s in (3, 5, 3)]
        fed_shared = sum(fed)
        fed.clear()
        plain = [play(model, tokenizer, env, s, 3, 6, 0.0) for s in (3, 5, 3)]
    finally:
        env.close()
    assert [e["completion_ids"] for e in shared] == [e["completion_ids"] for e in plain]
    a, b = plain[0]["prompt_ids"], plain[1]["prompt_ids"]
    common = next(i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y)
    assert common >= MIN_SHARED and prefix.ids == a[:common]
    # the first prompt is encoded once (all but its last token); the second and third start
    # after the common part, each episode's own tokens fed as before
    assert sum(fed) - fed_shared == 2 * common
