"""An OpenEnv server (``openenv-core``) over any memgym env id.

::

    python -m memgym.envs.openenv_server --env memgym/entities-lite-v0 --port 8000
    # a client: openenv's GenericEnvClient(base_url="http://127.0.0.1:8000").sync()
    #   .reset(seed=3); .step({"text": '{"name": "next_event", "arguments": {}}'})

The action is ``{"text": <one env action>}`` (the JSON tool call, or ``{"content": ...}`` on an
interactive id), or the call itself, ``{"name": ..., "arguments": {...}}`` / ``{"content": ...}``
(what an LLM client that sends the model's JSON reply as the action sends); the observation carries ``text`` (the env's observation), ``info`` (its info
dict: scores at the end), ``reward`` and ``done``. Sessions run over OpenEnv's WebSocket
(``/ws``: one env per connection, several at once); its stateless HTTP ``/reset`` and ``/step``
each make a fresh env, as OpenEnv does for every environment.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

try:
    from openenv.core.env_server.http_server import create_fastapi_app
    from openenv.core.env_server.interfaces import Environment
    from openenv.core.env_server.types import Action, Observation, State
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise ImportError(
        "memgym's OpenEnv server needs openenv-core: pip install -e '.[openenv]'"
    ) from exc

from pydantic import Field


class MemgymAction(Action):
    """One env action: its JSON text (``text``), or the call's own fields (``name`` and
    ``arguments``, or ``content`` on a session id), as a model replying in JSON writes them."""

    text: str | None = Field(default=None, description="one env action as JSON text")
    name: str | None = Field(default=None, description="a tool's name")
    arguments: dict[str, Any] | str | None = Field(default=None, description="its arguments")
    content: str | None = Field(default=None, description="a text turn (interactive ids)")

    def action(self) -> str:
        """The env action text."""
        if self.text is not None:
            return self.text
        if self.name is not None:
            return json.dumps({"name": self.name, "arguments": self.arguments or {}})
        if self.content is not None:
            return json.dumps({"content": self.content})
        return ""


class MemgymObservation(Observation):
    """The env's observation text and info."""

    text: str = ""
    info: dict[str, Any] = Field(default_factory=dict)


class MemgymEnvironment(Environment[MemgymAction, MemgymObservation, State]):
    """One memgym env (``memgym.make(env_id, **kwargs)``) behind OpenEnv's interface."""

    SUPPORTS_CONCURRENT_SESSIONS = True

    def __init__(self, env_id: str, **kwargs: Any) -> None:
        super().__init__()
        from memgym.envs.registration import make

        self.env_id = env_id
        self.env = make(env_id, **kwargs)
        self._state = State(step_count=0)

    def reset(
        self, seed: int | None = None, episode_id: str | None = None, **kwargs: Any
    ) -> MemgymObservation:
        text, info = self.env.reset(seed=seed)
        self._state = State(episode_id=episode_id, step_count=0, env_id=self.env_id)
        return MemgymObservation(text=text, info=_plain(info), reward=0.0, done=False)

    def step(
        self, action: MemgymAction, timeout_s: float | None = None, **kwargs: Any
    ) -> MemgymObservation:
        text, reward, terminated, truncated, info = self.env.step(action.action())
        self._state.step_count += 1
        done = bool(terminated or truncated)
        return MemgymObservation(text=text, info=_plain(info), reward=float(reward), done=done)

    @property
    def state(self) -> State:
        return self._state

    def close(self) -> None:
        self.env.close()


def _plain(info: dict[str, Any]) -> dict[str, Any]:
    """``info`` as JSON values (numpy scalars and tuples become plain ones)."""
    return json.loads(json.dumps(info, default=float))


def app(env_id: str, max_concurrent_envs: int = 8, **kwargs: Any) -> Any:
    """The FastAPI app serving ``env_id`` (one env per WebSocket session)."""
    from memgym.envs.registration import env_ids

    if env_id not in env_ids():
        raise ValueError(f"unknown memgym environment {env_id!r}")
    return create_fastapi_app(
        lambda: MemgymEnvironment(env_id, **kwargs),
        MemgymAction,
        MemgymObservation,
        max_concurrent_envs=max_concurrent_envs,
    )


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m memgym.envs.openenv_server --env ID [--host H] [--port P]``."""
    import argparse

    import uvicorn

    p = argparse.ArgumentParser(prog="python -m memgym.envs.openenv_server")
    p.add_argument("--env", required=True, help="a memgym env id, e.g. memgym/entities-lite-v0")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--sessions", type=int, default=8, help="concurrent WebSocket sessions")
    args = p.parse_args(argv)
    uvicorn.run(app(args.env, args.sessions), host=args.host, port=args.port, log_level="warning")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
