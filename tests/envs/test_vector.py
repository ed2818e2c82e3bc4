"""``make_vec``: many episodes stepped at once, in processes or in this one, each copy playing
its own scenario exactly as a single env does."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("gymnasium", reason="needs the gym extra")

import numpy as np

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


def test_sync_infos_hold_each_copys_whole_state_and_resume_from_it() -> None:
    vec = make_vec("memgym/entities-lite-v0", 2, mode="sync", seed=3)
    singles = [envs.make("memgym/entities-lite-v0", seed=3 + i) for i in range(2)]
    try:
        vec.reset()
        for env in singles:
            env.reset()
        write = json.dumps({"name": "memory_write", "arguments": {"text": "note"}})
        for action in (NEXT, write, NEXT):
            obs, rewards, terminated, truncated, info = vec.step((action, action))
            alone = [env.step(action) for env in singles]
        assert rewards.dtype == np.float64 and terminated.dtype == truncated.dtype == np.bool_
        assert list(obs) == [a[0] for a in alone]
        assert info["state"].dtype == object and list(info["_state"]) == [True, True]
        for i in range(2):
            assert info["state"][i] == alone[i][4]["state"]  # the dict a single env gives
            assert info["event_index"][i] == alone[i][4]["event_index"]
        # copy 1's state resumes on a fresh env exactly where copy 1 is
        resumed = envs.make("memgym/entities-lite-v0")
        resumed.reset(options={"state": info["state"][1]})
        after_vec = vec.step((NEXT, NEXT))[0][1]
        assert resumed.step(NEXT)[0] == after_vec
        resumed.close()
    finally:
        vec.close()
        for env in singles:
            env.close()


def test_sync_infos_are_the_singles_infos_merged_autoresets_included() -> None:
    from tests.envs.test_vector_info import reference, same

    kwargs = {"max_calls_per_event": 1}
    vec = make_vec("memgym/entities-lite-v0", 2, mode="sync", seed=4, **kwargs)
    singles = [envs.make("memgym/entities-lite-v0", seed=4 + i, **kwargs) for i in range(2)]
    bad = json.dumps({"name": "memory_read", "arguments": {"id": 99}})
    try:
        _, info = vec.reset()
        same(info, reference([env.reset()[1] for env in singles]))
        resets = 0
        for actions in [(NEXT, NEXT), (bad, NEXT), (bad, NEXT), (NEXT, bad), (NEXT, bad)] * 2:
            obs, _, _, _, info = vec.step(actions)
            alone = []
            for i, (env, action) in enumerate(zip(singles, actions, strict=True)):
                seen, _, ended, cut, single = env.step(action)
                if ended or cut:  # as Gymnasium resets in the same step
                    final = {"final_obs": seen, "final_info": single}
                    seen, single = env.reset()
                    single, resets = {**final, **single}, resets + 1
                assert obs[i] == seen
                alone.append(single)
            same(info, reference(alone))
        assert resets >= 2  # the autoresets were compared too
    finally:
        vec.close()
        for env in singles:
            env.close()


def test_a_masked_reset_leaves_the_flags_a_step_handed_out() -> None:
    vec = make_vec("memgym/entities-lite-v0", 2, mode="sync", max_calls_per_event=1)
    try:
        vec.reset()
        bad = json.dumps({"name": "memory_read", "arguments": {"id": 99}})
        for _ in range(2):
            _, _, _, truncated, _ = vec.step((bad, NEXT))
        assert list(truncated) == [True, False]
        vec.reset(options={"reset_mask": np.array([True, False])})
        assert list(truncated) == [True, False]
    finally:
        vec.close()
