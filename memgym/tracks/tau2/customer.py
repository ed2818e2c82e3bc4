"""The scripted customer: deterministic, from the task's user scenario, no model.

It opens with its whole scenario (why it calls, what it knows, how it wants things done), in
the first person. Then, to each text turn of the agent:

- it runs every tool of its own (telecom's phone) that the agent names, with the JSON object
  written after the name when there is one, and reports each result;
- otherwise, when the agent says it is done ("###STOP###", or "done everything" as memgym's
  reference agents say), or after ``PATIENCE`` turns that asked nothing it can do, it hangs up;
- otherwise it says it has told everything it knows.

On the first call of a callback it asks the agent to keep its details and hangs up at the
agent's first text turn; the callback itself opens without repeating any detail.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

Part = Literal["whole", "first", "callback"]
STOP = "###STOP###"
PATIENCE = 2
DONE_WORDS = "done everything"
TOLD_ALL = "I have told you everything I know. Please go ahead, or tell me if you cannot."
HANG_UP = "Thank you, that is all. " + STOP
LATER = (
    "I am not ready to go ahead yet: I will call you back later today to ask you to do it. "
    "Please keep my details."
)
BYE_LATER = "Thank you, I will call back later. " + STOP

DeviceTool = Callable[[str, dict[str, Any]], str]
"""Runs one of the customer's own tools (name, arguments) and returns its result text."""

_VERBS = (
    r"\byou (want|need|have|had|were|do|don't|did|didn't|would|will|can|cannot|may|might|"
    r"should|received|prefer|remember|are|wish|also|just|only|still|think|know)\b"
)
_PERSON = [
    (r"\bYou are\b", "I am"), (r"\byou are\b", "I am"), (r"\bYou're\b", "I'm"),
    (r"\byou're\b", "I'm"), (r"\bYour\b", "My"), (r"\byour\b", "my"), (r"\byourself\b", "myself"),
    (r"\bYou\b", "I"), (r"(?<=[.!?] )you\b", "I"),
    (_VERBS, r"I \1"),
]  # fmt: skip


@lru_cache(maxsize=4096)
def first_person(text: str) -> str:
    """The scenario's second-person instructions ("You want to ...") as the customer's own words
    (remembered per text: every session of a domain opens the same tasks)."""
    for pattern, replacement in _PERSON:
        text = re.sub(pattern, replacement, text)
    return text


def scenario_text(instructions: Any) -> str:
    """What the customer says it wants and knows, from τ²-bench's ``user_scenario.instructions``
    (structured for airline, retail and telecom; plain text for mock). ``unknown_info`` (what the
    customer does not know) is never said."""
    if isinstance(instructions, str):
        return first_person(instructions.strip())
    parts = [
        getattr(instructions, "reason_for_call", None),
        getattr(instructions, "known_info", None),
        getattr(instructions, "task_instructions", None),
    ]
    return "\n".join(first_person(p.strip()) for p in parts if p and p.strip())


@dataclass
class Reply:
    """The customer's answer: its text, whether it hung up, and whether it failed (a simulated
    customer's error: the call ends as τ²-bench's ``user_error``)."""

    text: str
    stop: bool = False
    error: bool = False


class ScriptedCustomer:
    """One call of a scripted customer (see the module docstring)."""

    def __init__(self, scenario: str, part: Part, first_call: int, tools: set[str]) -> None:
        self.scenario = scenario
        self.part = part
        self.first_call = first_call
        self.tools = tools
        self.idle = 0

    def opening(self) -> str:
        if self.part == "callback":
            return (
                f"Hello again, I am the customer of call {self.first_call}, calling back as I "
                "said I would. Please go ahead now with the request I made in that call, using "
                "the details I told you about then (my ids, the booking or order I named)."
            )
        if self.part == "first":
            return f"{self.scenario}\n{LATER}"
        return self.scenario

    def respond(self, agent_text: str, device: DeviceTool) -> Reply:
        calls = requested(agent_text, self.tools) if self.tools else []
        if calls:
            done = [f"I ran {name}: {device(name, args)}" for name, args in calls]
            self.idle = 0
            return Reply("\n".join(done))
        if self.part == "first":
            return Reply(BYE_LATER, stop=True)
        self.idle += 1
        if STOP in agent_text or DONE_WORDS in agent_text.lower() or self.idle > PATIENCE:
            return Reply(HANG_UP, stop=True)
        return Reply(TOLD_ALL)


def requested(text: str, tools: set[str]) -> list[tuple[str, dict[str, Any]]]:
    """Every tool in ``tools`` named in ``text`` (as a word), in order, each with the JSON object
    that directly follows its name (``{}`` when none does or it is not valid JSON)."""
    found: list[tuple[str, dict[str, Any]]] = []
    decoder = json.JSONDecoder()
    for match in re.finditer(r"[A-Za-z_][A-Za-z0-9_]*", text):
        name = match.group(0)
        if name not in tools:
            continue
        rest = text[match.end() :].lstrip(" :(")
        args: dict[str, Any] = {}
        if rest.startswith("{"):
            try:
                value, _ = decoder.raw_decode(rest)
            except ValueError:
                value = {}
            args = value if isinstance(value, dict) else {}
        found.append((name, args))
    return found
