"""Scripted write policies, registered by name."""

from memgym.memory.writers import policies  # noqa: F401  (registers the policies)
from memgym.memory.writers.base import WritePolicy, make_policy, policy_names, register_policy

__all__ = ["WritePolicy", "make_policy", "policy_names", "register_policy"]
