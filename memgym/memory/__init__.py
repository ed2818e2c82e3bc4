"""Memory strategies, registered by name (``make_memory("agentic:policy=strategic", track)``)."""

from memgym.memory import (  # noqa: F401  (register the strategies)
    agentic,
    agentic_llm,
    closed_book,
    distractors,
    full,
    gated,
    headline,
    mask,
    none,
    oracle,
    pipeline,
    rag_bm25,
    rag_embed,
    relevance,
    stats,
    summary,
    window,
)
from memgym.memory.base import Memory
from memgym.memory.registry import make_memory, memory_names, register_memory
from memgym.specs import parse_spec

__all__ = ["Memory", "make_memory", "memory_names", "parse_spec", "register_memory"]
