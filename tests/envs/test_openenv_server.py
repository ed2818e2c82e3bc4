"""memgym behind a real OpenEnv server (uvicorn on loopback), driven by OpenEnv's own client
over its WebSocket: observations, rewards and final scores equal a local env's."""

from __future__ import annotations

import json
import socket
import threading
import time

import pytest

pytest.importorskip("openenv", reason="needs openenv-core: pip install -e '.[openenv]'")
pytest.importorskip("gymnasium", reason="needs the gym extra")

import uvicorn
from openenv.core.generic_client import GenericEnvClient

from memgym import envs
from memgym.envs.expert import run_expert
from memgym.envs.openenv_server import app
from memgym.tracks import get_track

ENV = "memgym/entities-lite-v0"


@pytest.fixture(scope="module")
def base_url():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(app(ENV), host="127.0.0.1", port=port, log_level="error")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


def test_an_expert_episode_over_openenv_scores_what_a_local_env_scores(base_url: str) -> None:
    track = get_track("entities")
    steps = run_expert(track.generate(5, "lite"), "strategic", tier="lite", track=track).steps
    actions = [json.dumps({"name": s.name, "arguments": s.args}) for s in steps]
    local = envs.make(ENV)
    obs, _ = local.reset(seed=5)
    obs_first, first_step = obs, local.step(actions[0])[0]
    local.reset(seed=5)
    with GenericEnvClient(base_url=base_url).sync() as client:
        result = client.reset(seed=5)
        assert result.observation["text"] == obs and not result.done
        earned = 0.0
        for action in actions:
            result = client.step({"text": action})
            obs, reward, terminated, truncated, info = local.step(action)
            assert result.observation["text"] == obs and result.reward == reward
            earned += float(result.reward)
            if terminated or truncated:
                break
        assert result.done and earned > 0
        assert result.observation["info"]["scores"] == info["scores"]  # JSON keeps every float
        again = client.reset(seed=5)
        call = json.loads(actions[0])
        as_fields = client.step({"name": call["name"], "arguments": call["arguments"]})
        assert again.observation["text"] == obs_first and as_fields.observation["info"]["ok"]
        assert as_fields.observation["text"] == first_step
        bad = client.step({"text": "not json"})
        assert "not JSON" in bad.observation["text"] and bad.observation["info"]["ok"] is False
    local.close()


def test_two_sessions_at_once_keep_their_own_episodes(base_url: str) -> None:
    nxt = json.dumps({"name": "next_event", "arguments": {}})
    with (
        GenericEnvClient(base_url=base_url).sync() as a,
        GenericEnvClient(base_url=base_url).sync() as b,
    ):
        a.reset(seed=1)
        b.reset(seed=2)
        ra, rb = a.step({"text": nxt}), b.step({"text": nxt})
        assert ra.observation["info"]["state"]["seed"] == 1
        assert rb.observation["info"]["state"]["seed"] == 2
        assert ra.observation["info"]["event_index"] == rb.observation["info"]["event_index"] == 1


def test_an_unknown_env_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown memgym environment"):
        app("memgym/nothing-v0")
