"""The scripted replies of ``memgym serve`` to a question: what the scripted reasoner would say next.

A request is one turn of an ``LLMReasoner`` conversation: the view's messages, then the question
as the last prompt, then any assistant tool calls and their results (native, or ``CALL``/``RESULT``
lines in text mode). The question's spec comes from the ``X-Memgym-Spec`` header. The scripted
reasoner is run afresh on every request, reading claims from the view's messages and searching a
``ReplayStore`` that answers each search from the conversation's results; the first search the
conversation has not answered yet becomes the reply's ``memory_search`` call, and once every search
is answered the reply is a ``submit_answer`` call (an ``Answer:`` line when no tools are offered).
So the reply is stateless and equals, call for call, what the in-process scripted reasoner does.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from memgym.llm.classify import LLMModelError
from memgym.memory.store import Entry, Store, StoreResult
from memgym.memory.tools import SEARCH, SUBMIT, parse_hits
from memgym.reasoners.scripted import ScriptedReasoner
from memgym.serve.conversation import Exchange, exchanges, last_prompt, text_of
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
    """The next assistant turn: tool calls (name, arguments) and/or text. ``final`` marks the
    turn that ends the exchange (the answer, or the end of a write event): the one that an
    injected truncation cuts."""

    content: str | None = None
    calls: tuple[tuple[str, dict[str, Any]], ...] = field(default=())
    final: bool = False


def answered_searches(found: Sequence[Exchange]) -> dict[tuple[str, int], list[Entry]]:
    """(query, k) -> hits, for every valid search call whose result is in the conversation."""
    answered: dict[tuple[str, int], list[Entry]] = {}
    for call, result in found:
        if call.name != SEARCH.name or result is None:
            continue
        try:
            args = SEARCH.arguments(call.arguments)
        except LLMModelError:
            continue  # a malformed call: its result is an error, and the search is redone
        hits = parse_hits(result)
        if hits is not None:
            answered[(args["query"], args["k"])] = hits
    return answered


def scripted_reply(
    reasoner: ScriptedReasoner,
    messages: Sequence[Mapping[str, Any]],
    spec: dict[str, Any],
    searchable: bool,
    text: bool = False,
) -> Reply:
    """The scripted reasoner's next turn in the conversation ``messages``."""
    asked = last_prompt(messages, text)
    view_text = "\n".join(text_of(m.get("content")) for m in messages[:asked])
    found = exchanges(messages[asked + 1 :], text)
    store = ReplayStore(answered_searches(found)) if searchable else None
    view = View(messages=[Message(role="user", content=view_text)] if asked else [], store=store)
    question = Question(id="served", text="", spec=spec)
    try:
        answer = reasoner.answer(question, view)
    except Pending as need:
        return Reply(calls=((SEARCH.name, {"query": need.query, "k": need.k}),))
    if searchable:
        return Reply(calls=((SUBMIT.name, {"answer": answer}),), final=True)
    return Reply(content=f"Answer: {answer}", final=True)
