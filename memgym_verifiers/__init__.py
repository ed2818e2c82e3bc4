"""verifiers' plugin package for memgym (taskset id ``memgym-verifiers``): verifiers imports a
taskset by a top-level name and takes its taskset, env and harness from ``__all__``. The code is
``memgym.envs.verifiers_env``."""

from memgym.envs.verifiers_env import MemgymHarness, MemgymTaskset, MemgymVerifiersEnv

__all__ = ["MemgymHarness", "MemgymTaskset", "MemgymVerifiersEnv"]
