"""Scripted write policies, registered by name."""

from memgym.simulation.writers import policies  # noqa: F401  (registers the policies)
from memgym.simulation.writers.base import WritePolicy, make_policy, policy_names, register_policy

__all__ = ["WritePolicy", "make_policy", "policy_names", "register_policy"]
