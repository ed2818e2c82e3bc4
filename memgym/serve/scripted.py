"""The scripted replies of ``memgym serve``: what the scripted reasoner would say next.

A request is one turn of an ``LLMReasoner`` conversation: the view's messages, then the question
as the last user message, then any assistant tool calls and their results. The question's spec
comes from the ``X-Memgym-Spec`` header. The scripted reasoner is run afresh on every request,
reading claims from the view's messages and searching a ``ReplayStore`` that answers each search
from the conversation's tool results; the first search the conversation has not answered yet
becomes the reply's tool call, and once every search is answered the reply is the final answer.
So the reply is stateless and equals, call for call, what the in-process scripted reasoner does.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from memgym.memory.store import Entry, Store, StoreResult
from memgym.reasoners.memory_tools import SEARCH, parse_hits
from memgym.reasoners.scripted import ScriptedReasoner
from memgym.types import Message, Question, View


class Pending(Exception):
    """A search the conversation has not answered yet."""

    def __init__(self, query: str, k: int) -> None:
        super().__init__(query, k)
        self.query, self.k = query, k


class ReplayStore(Store):
    """A read-only ``Store`` stand-in holding only the searches answered in the conversation.

    It opens no database: ``search`` is its one operation, and an unanswered search raises
    ``Pending``.
    """

    def __init__(self, answered: Mapping[tuple[str, int], list[Entry]]) -> None:
        self._answered = dict(answered)

    def search(self, query: str, k: int = 5) -> StoreResult:
        hits = self._answered.get((query, k))
        if hits is None:
            raise Pending(query, k)
        return StoreResult(True, "search", hits=tuple(hits))


@dataclass(frozen=True)
class Reply:
    """The next assistant turn: a final answer or one search call."""

    content: str | None = None
    search: tuple[str, int] | None = None


def _text(content: Any) -> str:
    """A message's text, whether a string or a list of content parts."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(p.get("text", "") for p in content if isinstance(p, dict))
    return ""


def answered_searches(messages: Sequence[Mapping[str, Any]]) -> dict[tuple[str, int], list[Entry]]:
    """(query, k) -> hits, for every well-formed search call whose result is in ``messages``."""
    calls: dict[str, tuple[str, int]] = {}
    answered: dict[tuple[str, int], list[Entry]] = {}
    for m in messages:
        for call in m.get("tool_calls") or []:
            function = call.get("function") or {}
            try:
                args = json.loads(function.get("arguments") or "{}")
                if function.get("name") == SEARCH:
                    calls[call.get("id", "")] = (str(args["query"]), int(args.get("k", 5)))
            except (json.JSONDecodeError, KeyError, TypeError, ValueError):
                continue  # a malformed call: its result is an error, and the search is redone
        if m.get("role") == "tool" and m.get("tool_call_id") in calls:
            hits = parse_hits(_text(m.get("content")))
            if hits is not None:
                answered[calls[m["tool_call_id"]]] = hits
    return answered


def scripted_reply(
    reasoner: ScriptedReasoner,
    messages: Sequence[Mapping[str, Any]],
    spec: dict[str, Any],
    searchable: bool,
) -> Reply:
    """The scripted reasoner's next turn in the conversation ``messages``."""
    asked = max((i for i, m in enumerate(messages) if m.get("role") == "user"), default=None)
    if asked is None:
        raise ValueError("the request holds no user message with a question")
    view_text = "\n".join(_text(m.get("content")) for m in messages[:asked])
    store = ReplayStore(answered_searches(messages[asked + 1 :])) if searchable else None
    view = View(messages=[Message(role="user", content=view_text)] if asked else [], store=store)
    question = Question(
        id="served",
        kind="retrieval",
        axis="breadth",
        text="",
        spec=spec,
        answer=None,
        answer_type="text",
    )
    try:
        return Reply(content=f"Answer: {reasoner.answer(question, view)}")
    except Pending as need:
        return Reply(search=(need.query, need.k))
