"""Many memgym episodes stepped at once: ``make_vec(id, num_envs)``, a Gymnasium vector env.

``mode="async"`` (the default) runs each copy in a process of its own
(``gymnasium.vector.AsyncVectorEnv``), so a batch of actions is carried out in parallel and a
trainer may overlap its own work with ``step_async`` / ``step_wait``; ``mode="sync"`` steps them
one after another in this process. Copy ``i`` plays scenario ``seed + i`` first. Observations
come back as a tuple of texts (text spaces have no shared memory); an episode that ends is reset
in the same step (``AutoresetMode.SAME_STEP``): its final observation and info are in
``info["final_obs"]`` and ``info["final_info"]``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

MODES = ("async", "sync")


def make_vec(
    env_id: str, num_envs: int, *, mode: str = "async", seed: int = 0, **kwargs: Any
) -> Any:
    """A vector env of ``num_envs`` copies of memgym env ``env_id`` (``kwargs``: ``make``'s)."""
    from memgym.envs.registration import _gymnasium, env_ids, make

    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}, got {mode!r}")
    if num_envs < 1:
        raise ValueError(f"num_envs must be >= 1, got {num_envs}")
    if env_id not in env_ids():
        raise ValueError(f"unknown memgym environment {env_id!r}")
    vector = _gymnasium().vector

    def factory(i: int) -> Callable[[], Any]:
        return lambda: make(env_id, seed=seed + i, **kwargs)

    fns = [factory(i) for i in range(num_envs)]
    same_step = vector.AutoresetMode.SAME_STEP
    if mode == "sync":
        return vector.SyncVectorEnv(fns, autoreset_mode=same_step)
    return vector.AsyncVectorEnv(fns, shared_memory=False, autoreset_mode=same_step)
