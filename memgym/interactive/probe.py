"""The endpoint probe (``memgym audit --endpoint SPEC``): does the model endpoint keep state from
one request to the next?

``none`` means no memory only when the endpoint answers each request from that request alone:
a server that remembers earlier requests (a conversation store, a cache keyed by user, a
stateful proxy) would carry a session's history past any memory strategy. The probe asks the
endpoint the same question three times at temperature 0, each time from an agent built afresh
as the loop builds them: twice, then once more after a request that tells it a code word. The
endpoint passes when the three answers are equivalent (the same text, whitespace and case
aside, and the same tool calls) and the last does not hold the code word. An endpoint that is
not deterministic at temperature 0 fails too: its answers cannot show that it keeps nothing.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from memgym.interactive.llm_agent import LLMAgent
from memgym.specs import parse_spec
from memgym.tracks.agent import Agent
from memgym.tracks.base import Track
from memgym.tracks.session import AgentTurn, ChatMessage

SYSTEM = "You are a careful assistant. Answer in one short line."
QUESTION = (
    "Which code word have you been given so far? Reply with the word alone, or with 'none' "
    "if you have been given none."
)


@dataclass
class EndpointProbe:
    """The three answers to the same question and the verdict."""

    word: str
    answers: list[str] = field(default_factory=list)
    """The first, the second and the one after the code word was told, as compared."""
    problems: list[str] = field(default_factory=list)

    @property
    def stateless(self) -> bool:
        return not self.problems


def probe_agent(spec: str, track: Track) -> Agent:
    """The ``llm`` agent of ``spec`` at temperature 0 and without a call cache (a cache would
    answer the repeated question itself)."""
    name, options = parse_spec(spec)
    if name != "llm":
        raise ValueError(
            f"--endpoint takes an llm agent spec (llm:model=M,base_url=URL), got {spec!r}"
        )
    options.update(temperature=0.0, cache="")
    return LLMAgent(track, **options)


def probe_endpoint(agent: Agent, seed: int = 0) -> EndpointProbe:
    """Probe the endpoint behind ``agent`` (each request by an agent built afresh from its
    recipe); ``InfraError`` when the endpoint cannot be reached."""
    rng = random.Random(seed)
    word = f"{rng.choice(['amber', 'cobalt', 'juniper', 'saffron'])}-{rng.randrange(10**4):04d}"
    question: list[ChatMessage] = [
        {"role": "system", "content": SYSTEM},
        {"role": "user", "content": QUESTION},
    ]
    told: list[ChatMessage] = [
        {"role": "system", "content": SYSTEM},
        {"role": "user", "content": f"Your code word is {word}. Keep it and reply 'ok'."},
    ]
    probe = EndpointProbe(word)
    for view in (question, question, told, question):
        answer = _canonical(_ask(agent, view))
        if view is question:
            probe.answers.append(answer)
    first, second, after = probe.answers
    if first != second:
        probe.problems.append(
            f"the same request got two different answers ({first!r}, then {second!r}): the "
            "endpoint keeps state or is not deterministic at temperature 0"
        )
    if word.casefold() in after:
        probe.problems.append(
            f"a later request was answered with the code word {word!r} told before"
        )
    elif after != first:
        probe.problems.append(
            f"the same request was answered differently after another one ({first!r}, then "
            f"{after!r}): the endpoint keeps state between requests"
        )
    return probe


def _ask(agent: Agent, view: list[ChatMessage]) -> AgentTurn:
    fresh = agent.recipe.build()
    try:
        return fresh.act(view, [])
    finally:
        fresh.close()


def _canonical(turn: AgentTurn) -> str:
    """A turn as the probe compares it: its text (whitespace collapsed, case folded) and tool
    calls."""
    text = " ".join((turn.content or "").split()).casefold()
    calls = "".join(f" | {c.name} {c.arguments}" for c in turn.tool_calls)
    return text + calls
