"""The memory proxy: any memgym memory strategy in front of any OpenAI-compatible endpoint."""

from memgym.proxy.core import CONVERSATION_HEADER, MemoryProxy, Turn
from memgym.proxy.records import RecordLog, read_records
from memgym.proxy.server import ProxyServer, running
from memgym.proxy.units import History, Unit, dangling, split

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
