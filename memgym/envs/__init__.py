"""Front ends over one episode core (``memgym.envs.episode``): the Gymnasium environment
(``memgym.make``), expert trajectories for training, and the Inspect AI tasks.

Gymnasium and Inspect AI are optional (the ``gym`` and ``inspect`` extras) and imported only by
the modules that need them. Importing this package is cheap (its names load on first use); it
makes memgym's ids known to ``gymnasium.make`` now if gymnasium is imported, else as soon as it is.
"""

from __future__ import annotations

import importlib
from typing import Any

from memgym.envs.registration import env_id, env_ids, make, register_envs, register_with_gymnasium

__all__ = ["Episode", "Outcome", "env_id", "env_ids", "make", "make_vec", "register_envs"]

_LAZY = {
    "Episode": "memgym.envs.episode",
    "Outcome": "memgym.envs.episode",
    "make_vec": "memgym.envs.vector",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'memgym.envs' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


register_with_gymnasium()
