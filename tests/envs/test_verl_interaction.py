"""The verl interaction drives a real memgym env the way verl's multi-turn rollout calls it
(verl itself is not installed: it duck-types the class)."""

from __future__ import annotations

import asyncio
import json

import pytest

pytest.importorskip("gymnasium", reason="needs the gym extra")

from memgym import envs
from memgym.envs.expert import run_expert
from memgym.envs.verl_interaction import MemgymInteraction
from memgym.tracks import get_track


def test_an_expert_episode_through_the_interaction_earns_the_envs_return() -> None:
    track = get_track("entities")
    steps = run_expert(track.generate(2, "lite"), "strategic", tier="lite", track=track).steps
    actions = [json.dumps({"name": s.name, "arguments": s.args}) for s in steps]
    local = envs.make("memgym/entities-lite-v0")
    local.reset(seed=2)

    async def rollout() -> tuple[float, float, dict]:
        inter = MemgymInteraction({"name": "memgym"})
        iid = await inter.start_interaction("r1", env="memgym/entities-lite-v0", seed=2)
        messages: list[dict] = []
        earned, extra, done = 0.0, {}, False
        for action in actions:
            messages.append({"role": "assistant", "content": action})
            done, obs, score, extra = await inter.generate_response(iid, messages)
            expected = local.step(action)
            assert obs == expected[0] and score == expected[1]
            messages.append({"role": "user", "content": obs})
            earned += score
            if done:
                break
        assert done
        total = await inter.calculate_score(iid)
        await inter.finalize_interaction(iid)
        return earned, total, extra

    earned, total, extra = asyncio.run(rollout())
    assert earned == total == extra["scores"]["return"] > 0
    local.close()


def test_config_names_the_env_when_the_sample_does_not() -> None:
    async def go() -> None:
        inter = MemgymInteraction({"name": "m", "env": "memgym/codeqa-lite-v0"})
        iid = await inter.start_interaction(seed=1)
        done, obs, score, _ = await inter.generate_response(
            iid, [{"role": "assistant", "content": "not json"}]
        )
        assert not done and score == 0.0 and "not JSON" in obs
        await inter.finalize_interaction()
        with pytest.raises(ValueError, match="no env id"):
            await MemgymInteraction({}).start_interaction(seed=0)

    asyncio.run(go())
