"""What a protocol run will cost, before it starts: LLM calls and tokens per track.

Every memory of the protocol streams every scenario it will see through the same episode loop
as the run, with the ``llm`` reasoner whose requests go to no server: each request is fitted to
the declared context window as in the run, counted as ``memgym serve`` counts it (messages and
tool schemas by memgym's token counter), and answered in process by ``memgym serve``'s scripted
reply. So a tool-using memory costs the turns a model that searches like the scripted reasoner
takes, and the estimate of a run against ``memgym serve`` is its measured count.

A real model differs: its tokenizer counts more tokens than memgym's (1.27x to 1.44x for
SmolLM2, see ``memgym.llm.fit``), and it may take more or fewer tool turns and write longer
replies. The time estimate divides the tokens by a throughput the user gives.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from memgym.llm.agent import ToolAgent
from memgym.llm.client import ChatResult, ToolCall, Usage
from memgym.llm.headers import SPEC_HEADER
from memgym.memory import make_memory
from memgym.protocol.spec import Protocol
from memgym.reasoners.llm import LLMReasoner
from memgym.reasoners.scripted import ScriptedReasoner
from memgym.run.episode import run_episode
from memgym.serve.scripted import scripted_reply
from memgym.tokens import count_tokens
from memgym.tracks import get_track


class MeteredAgent(ToolAgent):
    """A ``ToolAgent`` whose requests are counted and answered in process by the scripted
    reply of ``memgym serve``, never sent."""

    def __init__(self, scripted: ScriptedReasoner, context_window: int, max_tokens: int) -> None:
        super().__init__("estimate", context_window=context_window, max_tokens=max_tokens)
        self.scripted = scripted
        self.calls = self.prompt_tokens = self.completion_tokens = 0

    def send(
        self,
        messages: Sequence[Mapping[str, Any]],
        schemas: list[dict[str, Any]] | None,
        headers: Mapping[str, str],
        request: Mapping[str, Any],
    ) -> ChatResult:
        spec = json.loads(headers[SPEC_HEADER])
        reply = scripted_reply(self.scripted, messages, spec, schemas is not None)
        calls = tuple(
            ToolCall(f"call_{self.calls}_{i}", name, json.dumps(args))
            for i, (name, args) in enumerate(reply.calls)
        )
        result = ChatResult(reply.content, calls, "stop", Usage(0, 0), 0.0, 1, False, None)
        self.calls += 1
        self.prompt_tokens += count_tokens(json.dumps(messages)) + count_tokens(json.dumps(schemas))
        self.completion_tokens += count_tokens(json.dumps(result.message()))
        return result


@dataclass
class TrackCost:
    """Estimated cost of one track of a protocol run (memgym tokens)."""

    track: str
    episodes: int
    calls: int
    prompt_tokens: int
    completion_tokens: int

    @property
    def tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


def estimate(
    protocol: Protocol,
    context_window: int = 0,
    max_tokens: int = 0,
    on_episode: Callable[[], None] | None = None,
    tracks: Collection[str] | None = None,
) -> list[TrackCost]:
    """The cost of every stream track of ``protocol`` (of ``tracks`` only, when given) for a
    model with ``context_window`` (0: none declared, nothing fitted) and ``max_tokens``;
    ``on_episode`` is called after each episode. Interactive tracks:
    ``memgym.protocol.session_estimate``."""
    costs = []
    for plan in protocol.tracks:
        if tracks is not None and plan.track not in tracks:
            continue
        track = get_track(plan.track)
        agent = MeteredAgent(ScriptedReasoner(track), context_window, max_tokens)
        reasoner = LLMReasoner(track)
        reasoner.agent = agent
        episodes = 0
        for seed in plan.seeds:
            scenario = track.generate(seed, plan.tier, **plan.params)
            for spec in protocol.memories:
                run_episode(scenario, make_memory(spec, track), reasoner)
                episodes += 1
                if on_episode is not None:
                    on_episode()
        costs.append(
            TrackCost(
                plan.track, episodes, agent.calls, agent.prompt_tokens, agent.completion_tokens
            )
        )
    return costs
