"""The boundary's wire: one JSON object per line, and the public data it may carry.

The evaluator and the worker that runs evaluated code (``memgym.run.worker``) speak only this:
public events (step, kind, text, fact ids, as ``Event.public`` gives them), public questions
(id, text, spec), answers, and what a memory reports about itself at the end of an episode
(writes, tokens, compaction records, LLM usage); on an interactive track, the agent's chat
messages (the history to compact) and the view the memory keeps of them. Nothing else can
cross: no object, no reference, no gold, no task or app state.
"""

from __future__ import annotations

import json
from typing import IO, Any

from memgym.types import Event, Question

PROTOCOL = 2
"""Bumped when a message changes shape; the worker refuses another version."""


def send(stream: IO[str], message: dict[str, Any]) -> None:
    """Write ``message`` as one line of JSON and flush."""
    stream.write(json.dumps(message, separators=(",", ":")) + "\n")
    stream.flush()


def receive(stream: IO[str]) -> dict[str, Any] | None:
    """The next message, or None at the end of the stream; ``ValueError`` for a line that is not
    a JSON object (``json.JSONDecodeError`` is one)."""
    line = stream.readline()
    if not line:
        return None
    message = json.loads(line)
    if not isinstance(message, dict):
        raise ValueError(  # noqa: TRY004 - a bad line, like bad JSON, is a ValueError
            f"boundary: expected a JSON object, got {line[:80]!r}"
        )
    return message


def event_wire(event: Event) -> list[Any]:
    """A public event as ``[step, kind, text, facts]``."""
    return [event.step, event.kind, event.text, list(event.facts)]


def event_from_wire(raw: list[Any]) -> Event:
    """The event ``event_wire`` wrote (validated: no question can ride along)."""
    step, kind, text, facts = raw
    return Event(step=step, kind=kind, text=text, facts=facts)


def question_wire(question: Question) -> dict[str, Any]:
    """A public question as a JSON object."""
    return question.model_dump()


def question_from_wire(raw: dict[str, Any]) -> Question:
    return Question.model_validate(raw)


ROLES = frozenset({"system", "user", "assistant", "tool"})


def chat_from_wire(raw: Any, what: str) -> list[dict[str, Any]]:
    """Chat messages as they crossed: a list of JSON objects, each with a known ``role``;
    ``ValueError`` naming ``what`` otherwise."""
    if not isinstance(raw, list) or not all(
        isinstance(m, dict) and m.get("role") in ROLES for m in raw
    ):
        raise ValueError(f"{what}: expected a list of chat messages, each with a known role")
    return raw
