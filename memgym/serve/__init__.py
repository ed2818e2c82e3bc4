"""``memgym serve``: an OpenAI-compatible chat server whose replies come from the scripted
reasoner (answers) and a mirror of a scripted write policy (an ``agentic-llm`` memory's writes), with
seeded fault injection, so any client can drive a whole memgym episode without a model."""

from memgym.serve.app import ChatServer, running
from memgym.serve.faults import Faults

__all__ = ["ChatServer", "Faults", "running"]
