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
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

MODES = ("async", "sync")

WHOLE = frozenset({"state", "final_obs"})
"""Info keys whose values are kept whole per copy (an object array), never merged field by field."""


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

    class Merging(base):  # type: ignore[misc, valid-type]
        def _add_info(
            self, vector_infos: dict[str, Any], env_info: dict[str, Any], env_num: int
        ) -> dict[str, Any]:
            return merge_info(vector_infos, env_info, env_num, self.num_envs)

    Merging.__name__ = Merging.__qualname__ = base.__name__
    return Merging


def _sync(base: type) -> type:
    """``base`` (a ``SyncVectorEnv`` in ``SAME_STEP`` mode) with a leaner step: the copies'
    rewards and flags collected in lists, each array built once, the observations' tuple not
    deep-copied (it is new each step and holds strings)."""
    import numpy as np

    class Sync(base):  # type: ignore[misc, valid-type]
        def step(self, actions: Any) -> tuple[Any, Any, Any, Any, dict[str, Any]]:
            count = self.num_envs
            obs: list[Any] = [None] * count
            rewards, terminated, truncated = [0.0] * count, [False] * count, [False] * count
            merged: dict[str, Any] = {}
            for i, (env, action) in enumerate(zip(self.envs, actions, strict=True)):
                seen, reward, ended, cut, info = env.step(action)
                rewards[i], terminated[i], truncated[i] = reward, ended, cut
                if ended or cut:  # reset in the same step; the last obs and info kept
                    merge_info(merged, {"final_obs": seen, "final_info": info}, i, count)
                    seen, info = env.reset()
                obs[i] = seen
                merge_info(merged, info, i, count)
            self._env_obs = obs
            self._observations = tuple(obs)  # text observations: a tuple, as Gymnasium's
            # new arrays each step, so handing out the ones kept (no copies) is safe: a caller
            # that changes them changes nothing a later step reads
            self._rewards = np.array(rewards, dtype=np.float64)
            self._terminations = np.array(terminated, dtype=np.bool_)
            self._truncations = np.array(truncated, dtype=np.bool_)
            self._autoreset_envs = self._terminations | self._truncations
            return self._observations, self._rewards, self._terminations, self._truncations, merged

    Sync.__name__ = Sync.__qualname__ = base.__name__
    return Sync


def merge_info(
    merged: dict[str, Any], info: dict[str, Any], index: int, copies: int
) -> dict[str, Any]:
    """``merged`` with copy ``index``'s ``info`` added (``copies`` in all): each value in the
    key's array at ``index`` (numbers in a numeric array of their type, numpy arrays stacked,
    anything else and the ``WHOLE`` keys in an object array), its ``_key`` mask set, a nested
    dict merged the same way."""
    import numpy as np

    for key, value in info.items():
        column = merged.get(key)
        if column is None:  # the first copy with this key: its array and mask
            nested = isinstance(value, dict) and key not in WHOLE
            column = {} if nested else _column(value, copies, key in WHOLE)
            merged[key] = column
            merged[_mask_key(key)] = np.zeros(copies, dtype=np.bool_)
        if type(column) is dict:
            merge_info(column, value, index, copies)
        else:
            column[index] = value
        merged[_MASKS[key]][index] = True
    return merged


_MASKS: dict[str, str] = {}
"""Each info key's mask key (``_key``), made once."""


def _mask_key(key: str) -> str:
    mask = _MASKS.get(key)
    if mask is None:
        mask = _MASKS[key] = f"_{key}"
    return mask


def _column(value: Any, copies: int, whole: bool) -> Any:
    """An empty array over the copies for values like ``value``."""
    import numpy as np

    if not whole and (type(value) in (int, float, bool) or isinstance(value, np.number)):
        return np.zeros(copies, dtype=type(value))
    if not whole and isinstance(value, np.ndarray):
        return np.zeros((copies, *value.shape), dtype=value.dtype)
    return np.empty(copies, dtype=object)  # every element None
