"""``make_vec``: many episodes stepped at once, in processes or in this one, each copy playing
its own scenario exactly as a single env does."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("gymnasium", reason="needs the gym extra")

from memgym import envs
from memgym.envs.vector import make_vec

NEXT = json.dumps({"name": "next_event", "arguments": {}})
ENV = "memgym/codeqa-lite-v0"


def _single(seed: int, steps: int) -> list[tuple[str, float]]:
    env = envs.make(ENV, seed=seed)
    out = [(env.reset()[0], 0.0)]
    for _ in range(steps):
        obs, reward, *_ = env.step(NEXT)
        out.append((obs, float(reward)))
    env.close()
    return out


@pytest.mark.parametrize("mode", ["async", "sync"])
def test_each_copy_plays_what_a_single_env_plays(mode: str) -> None:
    vec = make_vec(ENV, 3, mode=mode, seed=10)
    try:
        obs, _ = vec.reset()
        seen = [[(o, 0.0)] for o in obs]
        for _ in range(4):
            obs, rewards, terminated, truncated, _ = vec.step((NEXT,) * 3)
            assert not terminated.any() and not truncated.any()
            for i in range(3):
                seen[i].append((obs[i], float(rewards[i])))
    finally:
        vec.close()
    assert len({s[0][0] for s in seen}) == 3  # three different scenarios
    assert seen == [_single(10 + i, 4) for i in range(3)]


def test_a_finished_episode_is_reset_in_the_same_step() -> None:
    vec = make_vec("memgym/entities-lite-v0", 2, mode="sync", max_calls_per_event=1)
    try:
        vec.reset()
        bad = json.dumps({"name": "memory_read", "arguments": {"id": 99}})
        for _ in range(2):
            obs, _, terminated, truncated, info = vec.step((bad, NEXT))
        assert list(truncated) == [True, False] and not terminated.any()
        assert obs[0].startswith("[system]")  # the next episode's first observation
        assert "final_obs" in info and info["final_info"]["scores"]["return"][0] == 0.0
    finally:
        vec.close()


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match="mode"):
        make_vec(ENV, 2, mode="threads")
    with pytest.raises(ValueError, match="num_envs"):
        make_vec(ENV, 0)
    with pytest.raises(ValueError, match="unknown memgym environment"):
        make_vec("memgym/nothing-v0", 2)
