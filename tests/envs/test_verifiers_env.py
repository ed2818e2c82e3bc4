"""The verifiers adapter: real verifiers rollouts (its env, interception server and client, over
HTTP) against a policy server, each rollout's reward equal to the env's validated score.

The policy is scripted, as ``memgym serve`` scripts a model: an OpenAI-compatible server that
replies, turn by turn, with memgym's strategic expert's actions for the scenario it is shown
(model ``expert``) or with ``next_event`` every turn (model ``skip``, a memoryless adversary).
Needs verifiers 0.4 (the ``verifiers`` extra, a venv of its own: openai 2.x)."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

pytest.importorskip("gymnasium", reason="needs the gym extra")
pytest.importorskip("verifiers.v1", reason="needs the verifiers extra (a venv of its own)")

import verifiers.v1 as vf
from verifiers.v1.utils.loaders import load_environment, resolve_env_config

from memgym import envs
from memgym.envs.expert import run_expert
from memgym.envs.verifiers_env import TASKSET_ID, MemgymVerifiersEnv
from memgym.tracks import get_track

ENV = "memgym/entities-lite-v0"
SMALL = {"entities": 4, "questions": 1}
SEEDS = (0, 1)
SKIP = json.dumps({"name": "next_event", "arguments": {}})


def _scripts() -> dict[str, list[str]]:
    """First observation -> the strategic expert's actions on that scenario."""
    track = get_track("entities")
    scripts = {}
    for seed in SEEDS:
        env = envs.make(ENV, **SMALL)
        obs, _ = env.reset(seed=seed)
        env.close()
        expert = run_expert(
            track.generate(seed, "lite", **SMALL), "strategic", tier="lite", track=track
        )
        scripts[obs] = [json.dumps({"name": s.name, "arguments": s.args}) for s in expert.steps]
    return scripts


@pytest.fixture(scope="module")
def policy() -> Iterator[str]:
    """The policy server's base URL."""
    scripts = _scripts()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            messages = body["messages"]
            first = next(m["content"] for m in messages if m["role"] == "user")
            turn = sum(m["role"] == "assistant" for m in messages)
            script = scripts[first] if body["model"] == "expert" else []
            reply = script[turn] if turn < len(script) else SKIP
            data = json.dumps(
                {
                    "id": f"turn-{turn}",
                    "object": "chat.completion",
                    "created": 0,
                    "model": body["model"],
                    "choices": [
                        {
                            "index": 0,
                            "message": {"role": "assistant", "content": reply},
                            "finish_reason": "stop",
                        }
                    ],
                    "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
                }
            ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/v1"
    finally:
        server.shutdown()
        server.server_close()


def _rollouts(url: str, model: str) -> list[Any]:
    """One verifiers episode per seed, as ``vf-eval`` runs them in process."""
    config = resolve_env_config(
        {
            "taskset": {
                "id": TASKSET_ID,
                "env": ENV,
                "seed": SEEDS[0],
                "seeds": len(SEEDS),
                "make": SMALL,
            }
        }
    )
    env = load_environment(config)
    assert isinstance(env, MemgymVerifiersEnv)
    client = vf.EvalClientConfig(base_url=url, api_key_var="MEMGYM_TEST_UNUSED_KEY")
    ctx = vf.ModelContext(model=model, client=client)

    async def run() -> list[Any]:
        async with env.serving():
            return [await env.run_slot(slot, ctx) for t in env.taskset for slot in env.slots(t)]

    return asyncio.run(run())


def _replayed(seed: int, actions: list[str]) -> tuple[float, dict[str, Any]]:
    """The return and final scores of ``actions`` played on a fresh env."""
    env = envs.make(ENV, **SMALL)
    env.reset(seed=seed)
    earned, info = 0.0, {}
    for action in actions:
        _, reward, terminated, truncated, info = env.step(action)
        earned += reward
        if terminated or truncated:
            break
    env.close()
    return earned, info.get("scores", {})


@pytest.mark.parametrize("model", ["expert", "skip"])
def test_rollouts_pay_the_envs_validated_score(policy: str, model: str) -> None:
    episodes = _rollouts(policy, model)
    assert [e.task.data.seed for e in episodes] == list(SEEDS)
    for seed, episode in zip(SEEDS, episodes, strict=True):
        assert episode.ok, episode.errors
        (trace,) = episode.traces
        actions = [n.message.content for n in trace.nodes if n.sampled]
        assert len(actions) == trace.num_turns > 1
        earned, scores = _replayed(seed, actions)
        assert trace.reward == trace.rewards["memgym_return"].score == earned
        recorded = trace.info["memgym"]
        assert recorded["scores"] == json.loads(json.dumps(scores)) and recorded["return"] == earned
        assert recorded["scores"]["return"] == earned  # the episode ran to its end
        if model == "expert":  # the strategic expert answers the one question right
            assert earned == scores["max_return"] == 1.0
        else:  # a policy that keeps nothing earns nothing
            assert earned == 0.0 and scores["correct"] == 0
