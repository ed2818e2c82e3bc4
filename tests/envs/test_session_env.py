"""The interactive tracks as Gymnasium envs: ids for every tier, check_env, the first
observation, the turn limit, and a reward that a memoryless agent cannot earn."""

from __future__ import annotations

import json
import warnings

import pytest

gymnasium = pytest.importorskip("gymnasium", reason="needs the gym extra")

from gymnasium.utils.env_checker import check_env

from memgym import envs
from memgym.envs.registration import session_env_specs
from memgym.envs.session_baselines import play
from memgym.tracks import get_track, track_names
from tests.engines import require


def _lite_first(env_id: str) -> object:
    """Lite ids run in the default suite; the longer tiers (same code) are marked slow."""
    return env_id if "-lite-" in env_id else pytest.param(env_id, marks=pytest.mark.slow)


SESSION_IDS = [_lite_first(i) for i in session_env_specs()]
LITE_IDS = [i for i in session_env_specs() if "-lite-" in i]


def test_an_id_for_every_interactive_track_and_tier() -> None:
    expected = {
        f"memgym/{name}-{tier}-v0"
        for name in track_names()
        if get_track(name).interactive
        for tier in get_track(name).tiers
    }
    assert {"tau2", "swe", "web"} <= {n for n in track_names() if get_track(n).interactive}
    assert set(session_env_specs()) == expected
    assert expected <= set(envs.env_ids())
    envs.register_envs()
    spec = gymnasium.spec("memgym/swe-lite-v0")
    assert spec.entry_point == "memgym.envs.session_env:SessionEnv"
    env = gymnasium.make("memgym/web-standard-v0")  # making opens nothing yet
    assert env.unwrapped.track.name == "web" and env.unwrapped.tier == "standard"


@pytest.mark.parametrize("env_id", SESSION_IDS)
def test_check_env_passes(env_id: str) -> None:
    require(session_env_specs()[env_id][0])
    env = envs.make(env_id)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            check_env(env.unwrapped)
    finally:
        env.close()


@pytest.mark.parametrize("env_id", LITE_IDS)
def test_the_first_observation_holds_the_system_prompt_and_the_tools(env_id: str) -> None:
    require(session_env_specs()[env_id][0])
    env = envs.make(env_id, turns_per_task=3)
    try:
        obs, info = env.reset(seed=2)
        opening = env.unwrapped.session  # the live session the env opened
        system, tools, user = obs.split("\n\n[", 2)
        assert system.startswith("[system]\n") and tools.startswith("tools]\n")
        assert json.loads(tools.removeprefix("tools]\n")) == opening.tools
        names = {t["function"]["name"] for t in opening.tools}
        assert names and all(n in obs for n in names)
        assert user.startswith("user]\n")
        assert info["max_episode_steps"] == info["tasks"] * 3
    finally:
        env.close()


def test_a_malformed_action_uses_a_turn_and_the_turn_limit_ends_each_task() -> None:
    require("web")
    env = envs.make("memgym/web-lite-v0", turns_per_task=2)
    try:
        _, info = env.reset(seed=0)
        steps, done = 0, False
        while not done:
            obs, reward, done, truncated, info = env.step("not json")
            steps += 1
            assert not info["ok"] and "error" in obs and reward == 0.0 and not truncated
        assert steps == info["max_episode_steps"] == 2 * info["tasks"]
        assert info["scores"]["return"] == 0.0 and info["scores"]["rewards"] == [0.0] * 4
    finally:
        env.close()


@pytest.mark.parametrize("env_id", LITE_IDS)
def test_a_memoryless_agent_earns_nothing_and_the_gold_plan_earns_everything(env_id: str) -> None:
    """The forgetful probe makes every gold step whose values are in the current observation:
    it earns only what needs no memory, which the reward does not pay; gold earns the maximum,
    so the reward can be earned (the test could fail either way)."""
    require(session_env_specs()[env_id][0])
    env = envs.make(env_id)
    try:
        gold = play(env, "gold", 0)
        assert gold.max_return >= 1 and gold.earned == gold.max_return
        for name in ("noop", "forgetful"):
            played = play(env, name, 0)
            assert played.max_return == gold.max_return
            assert played.earned <= 0.05 * played.max_return, (name, played)
    finally:
        env.close()


def test_a_stream_track_is_refused_by_the_session_env() -> None:
    from memgym.envs.session_env import SessionEnv

    with pytest.raises(TypeError, match="question stream"):
        SessionEnv("entities", "lite")
