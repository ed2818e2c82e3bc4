"""Memory strategies, registered by name (``make_memory("agentic:policy=strategic", track)``)."""

from memgym.memory import agentic, none, stats  # noqa: F401  (register the strategies)
from memgym.memory.base import Memory
from memgym.memory.registry import make_memory, memory_names, parse_spec, register_memory

__all__ = ["Memory", "make_memory", "memory_names", "parse_spec", "register_memory"]
