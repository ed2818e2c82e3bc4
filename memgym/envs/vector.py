"""Many memgym episodes stepped at once: ``make_vec(id, num_envs)``, a Gymnasium vector env.

``mode="async"`` (the default) runs each copy in a process of its own
(``gymnasium.vector.AsyncVectorEnv``), so a batch of actions is carried out in parallel and a
trainer may overlap its own work with ``step_async`` / ``step_wait``; ``mode="sync"`` steps them
one after another in this process. Copy ``i`` plays scenario ``seed + i`` first. Observations
come back as a tuple of texts (text spaces have no shared memory); an episode that ends is reset
in the same step (``AutoresetMode.SAME_STEP``): its final observation and info are in
``info["final_obs"]`` and ``info["final_info"]``.

Infos are merged as Gymnasium merges them (a key's values in an array over the copies, beside a
``_key`` mask of the copies that have it; a nested dict merged key by key), except ``state``:
each copy's episode state stays whole, ``info["state"][i]`` (an object array), the dict a single
env gives, ready for ``reset(options={"state": ...})``. Gymnasium's merge would take it apart
into an array per field, its nested dicts too, at every step: that was 31 % of a sync step's CPU.
In ``sync`` mode a step's info is a ``memgym.envs.vector_info.VectorInfo`` when the copies give
the same keys: each array is built when first read.
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
        return _sync(_merging(vector.SyncVectorEnv))(fns, autoreset_mode=same_step)
    return _merging(vector.AsyncVectorEnv)(fns, shared_memory=False, autoreset_mode=same_step)


def _merging(base: type) -> type:
    """``base`` (a Gymnasium vector env class) with memgym's info merge."""
    from memgym.envs.vector_info import merge_info

    class Merging(base):  # type: ignore[misc, valid-type]
        def _add_info(
            self, vector_infos: dict[str, Any], env_info: dict[str, Any], env_num: int
        ) -> dict[str, Any]:
            return merge_info(vector_infos, env_info, env_num, self.num_envs)

    Merging.__name__ = Merging.__qualname__ = base.__name__
    return Merging


def _sync(base: type) -> type:
    """``base`` (a ``SyncVectorEnv`` in ``SAME_STEP`` mode) with a leaner step: the copies
    stepped in one pass, each array built once from their results, the infos merged by
    ``merge_infos`` (each key's array built when first read), the observations' tuple not
    deep-copied (it is new each step and holds strings)."""
    import numpy as np

    from memgym.envs.vector_info import merge_infos

    class Sync(base):  # type: ignore[misc, valid-type]
        def step(self, actions: Any) -> tuple[Any, Any, Any, Any, dict[str, Any]]:
            steps = [env.step(action) for env, action in zip(self.envs, actions, strict=True)]
            obs, rewards, terminated, truncated, infos = zip(*steps)
            if any(terminated) or any(truncated):
                obs, infos = self._autoreset(list(obs), list(infos), terminated, truncated)
            self._env_obs = list(obs)
            self._observations = obs  # text observations: a tuple, as Gymnasium's
            # New arrays each step, handed out and kept (no copies: nothing changes them in
            # place, ``reset`` copies the flags before it clears some). Nothing waits for a
            # reset after a step in this mode: ``_autoreset_envs`` stays all false.
            self._rewards = np.array(rewards, dtype=np.float64)
            self._terminations = np.array(terminated, dtype=np.bool_)
            self._truncations = np.array(truncated, dtype=np.bool_)
            return obs, self._rewards, self._terminations, self._truncations, merge_infos(infos)

        def reset(self, **kwargs: Any) -> tuple[Any, dict[str, Any]]:
            # a ``reset_mask`` clears flags in place: not in the arrays the last step handed out
            self._terminations = self._terminations.copy()
            self._truncations = self._truncations.copy()
            return super().reset(**kwargs)  # type: ignore[no-any-return]

        def _autoreset(
            self, obs: list[Any], infos: list[Any], terminated: Any, truncated: Any
        ) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
            """The copies whose episode ended reset (same step): their first observation and
            info instead, the last ones in ``final_obs`` and ``final_info``."""
            for i, (ended, cut) in enumerate(zip(terminated, truncated, strict=True)):
                if ended or cut:
                    final = {"final_obs": obs[i], "final_info": infos[i]}
                    obs[i], info = self.envs[i].reset()
                    infos[i] = {**final, **info}  # in the order Gymnasium merges them
            return tuple(obs), tuple(infos)

    Sync.__name__ = Sync.__qualname__ = base.__name__
    return Sync
