"""Reasoners, registered by name (``make_reasoner("scripted", track)``)."""

from memgym.reasoners import cheats, llm, scripted  # noqa: F401  (register the reasoners)
from memgym.reasoners.base import Reasoner, make_reasoner, reasoner_names, register_reasoner

__all__ = ["Reasoner", "make_reasoner", "reasoner_names", "register_reasoner"]
