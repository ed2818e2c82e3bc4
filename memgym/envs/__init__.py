"""Front ends over one episode core (``memgym.envs.episode``): the Gymnasium environment
(``memgym.make``), expert trajectories for training, and the Inspect AI tasks.

Gymnasium and Inspect AI are optional (the ``gym`` and ``inspect`` extras) and imported only by
the modules that need them.
"""

from __future__ import annotations

import sys

from memgym.envs.episode import Episode, Outcome
from memgym.envs.registration import env_id, env_ids, make, register_envs

__all__ = ["Episode", "Outcome", "env_id", "env_ids", "make", "register_envs"]

if "gymnasium" in sys.modules:  # ids visible to gymnasium.make as soon as memgym.envs loads
    register_envs()
