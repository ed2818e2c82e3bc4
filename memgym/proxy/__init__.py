"""The memory proxy: any memgym memory strategy in front of any OpenAI-compatible endpoint."""

from memgym.memory.history.core import CONVERSATION_HEADER, MemoryProxy, Turn
from memgym.memory.history.records import RecordLog, read_records
from memgym.memory.history.units import History, Unit, dangling, split
from memgym.proxy.server import ProxyServer, running

__all__ = [
    "CONVERSATION_HEADER",
    "History",
    "MemoryProxy",
    "ProxyServer",
    "RecordLog",
    "Turn",
    "Unit",
    "dangling",
    "read_records",
    "running",
    "split",
]
