"""The envs' shared base: the scenario cache and the seed each reset plays."""

from __future__ import annotations

import pytest

pytest.importorskip("gymnasium", reason="needs the gym extra")

from memgym.envs.gym_env import MemgymEnv
from memgym.envs.text_env import ScenarioCache
from memgym.tracks import get_track


def test_cache_keys_on_track_seed_tier_and_overrides_and_evicts_the_oldest() -> None:
    track = get_track("entities")
    cache = ScenarioCache(2)
    first = cache.get(track, 0, "lite", {})
    assert cache.get(track, 0, "lite", {}) is first
    other = cache.get(track, 0, "lite", {"entities": 12})
    assert other is not first and other.hash != first.hash
    assert cache.get(track, 1, "lite", {}).seed == 1  # a third scenario evicts seed 0's
    again = cache.get(track, 0, "lite", {})
    assert again is not first and again.hash == first.hash


def test_first_reset_plays_makes_seed_and_later_resets_draw_a_deterministic_run() -> None:
    def seeds(env: MemgymEnv) -> list[int]:
        out = []
        for _ in range(3):
            _, info = env.reset()
            out.append(info["state"]["seed"])
        return out

    a, b = MemgymEnv("entities", "lite", seed=5), MemgymEnv("entities", "lite", seed=5)
    drawn = seeds(a)
    assert drawn[0] == 5 and drawn == seeds(b) and len(set(drawn)) == 3
    assert a.render() is None
    c = MemgymEnv("entities", "lite", seed=5, render_mode="ansi")
    observation, _ = c.reset(seed=7)
    assert c.render() == observation
    for env in (a, b, c):
        env.close()
