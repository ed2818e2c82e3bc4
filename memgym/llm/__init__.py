"""An OpenAI-compatible chat client: retries, rate limits, failure classes, call cache, accounting."""

from memgym.llm.accounting import Ledger, Usage, cost
from memgym.llm.cache import CallCache, cache_key
from memgym.llm.classify import LLMInfraError, LLMModelError, classify
from memgym.llm.client import ChatResult, LLMClient, SyncLLMClient, ToolCall

__all__ = [
    "CallCache",
    "ChatResult",
    "LLMClient",
    "LLMInfraError",
    "LLMModelError",
    "Ledger",
    "SyncLLMClient",
    "ToolCall",
    "Usage",
    "cache_key",
    "classify",
    "cost",
]
