"""The environment's tools: memgym's memory tools (``memgym.memory.tools``, declared
once in ``memgym.llm.tools``) plus ``next_event``.

One action of the environment is one tool call. The memory tools act on the episode's budgeted
``Store`` and answer with the same JSON results an LLM agent gets (so ``memgym serve`` reads them
back); ``submit_answer`` answers the pending question and ``next_event`` moves on to the next
event. Calls are validated by the shared ``Toolset`` (a few dict lookups, no JSON-schema engine).
"""

from __future__ import annotations

from typing import Any

from memgym.llm.classify import LLMModelError
from memgym.llm.tools import Call, Tool, Toolset, call_error
from memgym.memory.tools import ANSWER_TOOLS, DELETE, EDIT, READ, SEARCH, SUBMIT, WRITE

NEXT_TOOL = Tool("next_event", "Done with this event: show the next one.")
ENV_TOOLS = Toolset([WRITE, EDIT, DELETE, SEARCH, READ, SUBMIT, NEXT_TOOL])
"""Every action the environment takes."""
WRITER_TOOLS = Toolset([WRITE, EDIT, DELETE, SEARCH, READ])
"""What an agent gets on an event that is not a question (a reply without a call moves on)."""
QUESTION_TOOLS = ANSWER_TOOLS
"""What an agent gets at a question (search, read, submit_answer)."""

WRITE_NAME, EDIT_NAME, DELETE_NAME = WRITE.name, EDIT.name, DELETE.name
SEARCH_NAME, READ_NAME = SEARCH.name, READ.name
ANSWER, NEXT = SUBMIT.name, NEXT_TOOL.name
MEMORY_ACTIONS = frozenset({WRITE_NAME, EDIT_NAME, DELETE_NAME})
"""Tools that change the store (where the segmented trajectories split)."""


def tool_schemas() -> list[dict[str, Any]]:
    """Every environment tool as an OpenAI ``tools`` entry (a fresh list each call)."""
    return ENV_TOOLS.schemas()


def parse_call(name: str, args: Any) -> tuple[Call | None, str | None]:
    """(the validated call, None), or (None, the JSON error result) for a malformed call."""
    try:
        return ENV_TOOLS.parse(name, args), None
    except LLMModelError as exc:
        return None, call_error(exc)


def refusal(reason: str, message: str) -> str:
    """The JSON result of a call the episode refuses (same shape as an invalid call's)."""
    return call_error(LLMModelError(reason, message))
