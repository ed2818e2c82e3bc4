"""The Gymnasium env under a salt: seed ``s`` plays the scenario ``memgym run`` draws for ``s``
under that salt, info keeps the salt's digest (never the salt), unsalted envs are unchanged."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("gymnasium", reason="needs the gym extra")

from memgym import envs
from memgym.run.runner import run_item
from memgym.run.work import WorkItem
from memgym.salt import SALT_ENV, SALT_FILE_ENV, evaluation_seed, salt_digest
from memgym.tracks import get_track

SALT = "a salt only the evaluator knows"
SMALL = {"entities": 8, "questions": 3}
ENV = "memgym/entities-lite-v0"


@pytest.fixture(autouse=True)
def unsalted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(SALT_ENV, raising=False)
    monkeypatch.delenv(SALT_FILE_ENV, raising=False)


def _next() -> str:
    return json.dumps({"name": "next_event", "arguments": {}})


def test_unsalted_env_plays_the_public_seed() -> None:
    env = envs.make(ENV, **SMALL)
    _, info = env.reset(seed=3)
    assert info["scenario_hash"] == get_track("entities").generate(3, "lite", **SMALL).hash
    assert "salt" not in info and "salt" not in info["state"]
    assert info["state"]["seed"] == 3


def test_salted_env_plays_the_evaluators_salted_scenario(monkeypatch: pytest.MonkeyPatch) -> None:
    track = get_track("entities")
    public = track.generate(3, "lite", **SMALL).hash
    monkeypatch.setenv(SALT_ENV, SALT)
    salted = track.generate(evaluation_seed("entities", 3), "lite", **SMALL).hash
    env = envs.make(ENV, **SMALL)
    obs, info = env.reset(seed=3)
    assert info["scenario_hash"] == salted != public
    # the evaluator's official path (what `memgym run` does) draws the same scenario
    item = WorkItem("entities", "lite", 3, tuple(SMALL.items()), "full", "scripted")
    result = run_item(item)
    assert result.scenario_hash == salted and result.salt == info["salt"] == salt_digest()
    # the salt is never in clear, nor is the drawn seed: the state keeps the public seed
    assert info["state"]["seed"] == 3 and info["state"]["salt"] == info["salt"]
    seen = obs + json.dumps(info)
    for _ in range(5):
        obs, _, _, _, info = env.step(_next())
        seen += obs + json.dumps(info)
    assert SALT not in seen and str(evaluation_seed("entities", 3)) not in seen


def test_a_salted_state_resumes_under_its_salt_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SALT_ENV, SALT)
    env = envs.make(ENV, **SMALL)
    env.reset(seed=4)
    for _ in range(3):
        _, _, _, _, info = env.step(_next())
    state = json.loads(json.dumps(info["state"]))
    other = envs.make(ENV, **SMALL)
    _, resumed = other.reset(options={"state": state})
    assert resumed["scenario_hash"] == info["scenario_hash"]
    assert resumed["state"] == state
    monkeypatch.setenv(SALT_ENV, "another salt")
    with pytest.raises(ValueError, match="salt"):
        envs.make(ENV, **SMALL).reset(options={"state": state})
    monkeypatch.delenv(SALT_ENV)
    with pytest.raises(ValueError, match="MEMGYM_SALT"):
        envs.make(ENV, **SMALL).reset(options={"state": state})


def test_resets_without_a_seed_are_salted_too(monkeypatch: pytest.MonkeyPatch) -> None:
    env = envs.make(ENV, seed=7, **SMALL)
    env.reset()
    _, public = env.reset()  # a seed drawn from the env's generator
    monkeypatch.setenv(SALT_ENV, SALT)
    env = envs.make(ENV, seed=7, **SMALL)
    env.reset()
    _, salted = env.reset()
    seed = salted["state"]["seed"]
    assert seed == public["state"]["seed"]
    expected = get_track("entities").generate(evaluation_seed("entities", seed), "lite", **SMALL)
    assert salted["scenario_hash"] == expected.hash != public["scenario_hash"]


def test_vector_copies_are_salted_in_their_processes(monkeypatch: pytest.MonkeyPatch) -> None:
    from memgym.envs import make_vec

    monkeypatch.setenv(SALT_ENV, SALT)
    track = get_track("entities")
    vec = make_vec(ENV, 2, mode="async", seed=5, **SMALL)
    try:
        _, info = vec.reset()
    finally:
        vec.close()
    expected = [
        track.generate(evaluation_seed("entities", s), "lite", **SMALL).hash for s in (5, 6)
    ]
    assert list(info["scenario_hash"]) == expected
    assert list(info["salt"]) == [salt_digest()] * 2
