"""History compaction: a memory strategy applied to a chat history. Shared by ``memgym proxy``
(requests of any OpenAI-API agent) and the interactive tracks' agent loop, so it sits below both.

``units`` cuts messages into atomic units; ``conversation`` feeds them to a memory as its
stream; ``core`` (``MemoryProxy``) compacts one request; ``history_memory`` (``HistoryMemory``)
does the same for an agent's loop; ``records`` writes and reads the ``CompactionRecord`` log.
"""
