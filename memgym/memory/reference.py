"""Reference memories: the evaluator's own yardsticks, built from gold on the evaluator's side.

A reference memory (``oracle``, the ceiling of the isolated score) is meant to see ground truth.
It is not a plugin hook: ``memgym.run.episode.run_episode`` binds a reference memory it built
itself to the scenario, in the evaluator's process; the plugin contract (``Memory``) has no way
to receive a scenario, and memories behind the boundary (``memgym.run.worker``) never hold one.
"""

from __future__ import annotations

from abc import abstractmethod

from memgym.memory.base import Memory
from memgym.types import Scenario


class ReferenceMemory(Memory):
    """A memory the evaluator hands the scenario's gold before the episode."""

    @abstractmethod
    def bind(self, scenario: Scenario) -> None:
        """Take what this reference shows from ``scenario`` (called by the evaluator only)."""
