"""memgym as a verl multi-turn *interaction* (``actor_rollout_ref.rollout.multi_turn``).

verl builds the class named in its interaction config with ``cls(config)`` and, per rollout,
calls ``start_interaction(instance_id, **interaction_kwargs)`` (the sample's
``extra_info.interaction_kwargs``: here ``env`` and ``seed``), then ``generate_response(
instance_id, messages)`` after each model turn: the last assistant message is the env action,
the returned text (the next observation) becomes the next user turn, and the score is the
step's reward. ``calculate_score`` and ``finalize_interaction`` close the episode. The class needs
no verl to import (verl duck-types it), so it is tested here without verl; docs/train.md gives
the exact config. verl itself (GPU, vLLM or SGLang) was not run on this machine.
"""

from __future__ import annotations

from typing import Any
from uuid import uuid4


class MemgymInteraction:
    """One memgym env per rollout instance; ``config``: ``name``, optional ``env`` (the id when a
    sample names none) and ``make`` (``memgym.make`` keyword arguments)."""

    def __init__(self, config: dict[str, Any]) -> None:
        self.config = config
        self.name: str = config.get("name", "memgym")
        self._envs: dict[str, Any] = {}
        self._returns: dict[str, float] = {}

    async def start_interaction(
        self, instance_id: str | None = None, env: str | None = None, seed: int = 0, **_: Any
    ) -> str:
        """Open an env for one rollout and reset it to scenario ``seed``."""
        from memgym.envs.registration import make

        instance_id = instance_id or str(uuid4())
        env_id = env or self.config.get("env")
        if not env_id:
            raise ValueError("memgym interaction: no env id (interaction_kwargs.env or config env)")
        handle = make(env_id, **self.config.get("make", {}))
        handle.reset(seed=int(seed))
        self._envs[instance_id] = handle
        self._returns[instance_id] = 0.0
        return instance_id

    async def generate_response(
        self, instance_id: str, messages: list[dict[str, Any]], **_: Any
    ) -> tuple[bool, str, float, dict[str, Any]]:
        """Step the env with the last assistant message: (done, next observation, reward,
        info at the end: the env's scores)."""
        env = self._envs[instance_id]
        action = next(
            (m.get("content") or "" for m in reversed(messages) if m.get("role") == "assistant"), ""
        )
        obs, reward, terminated, truncated, info = env.step(action.strip())
        self._returns[instance_id] += float(reward)
        done = bool(terminated or truncated)
        return done, obs, float(reward), {"scores": info["scores"]} if done else {}

    async def calculate_score(self, instance_id: str | None = None, **_: Any) -> float:
        """The episode's return so far (the validated score: one per right scored answer)."""
        if instance_id is None:
            return sum(self._returns.values())
        return self._returns.get(instance_id, 0.0)

    async def finalize_interaction(self, instance_id: str | None = None, **_: Any) -> None:
        """Close the rollout's env (every env when no instance is named)."""
        for key in [instance_id] if instance_id is not None else list(self._envs):
            env = self._envs.pop(key, None)
            if env is not None:
                env.close()
            self._returns.pop(key, None)
