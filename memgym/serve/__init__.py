"""``memgym serve``: an OpenAI-compatible chat server whose replies come from the scripted
reasoner, with seeded fault injection, so any client can drive a memgym episode without a model."""

from memgym.serve.app import ChatServer, running
from memgym.serve.faults import Faults

__all__ = ["ChatServer", "Faults", "running"]
