"""The instructions an agent gets at the start of an episode (chat trajectories, Inspect AI)."""

from __future__ import annotations

SYSTEM = (
    "You live through a long stream of events, one at a time, and cannot see past events again: "
    "only what you store in your memory survives. Use the memory tools (memory_write, "
    "memory_edit, memory_delete, memory_search, memory_read) to keep what may be asked later, "
    "within the budget below, then call next_event to see the next event. When the event is a "
    "question, search your memory and call submit_answer with the value alone, written as the "
    "records write it, or 'unknown' if your memory does not hold it.\n\n{brief}"
)


def system_prompt(brief: str) -> str:
    """The system message for an episode with ``brief``."""
    return SYSTEM.format(brief=brief)
