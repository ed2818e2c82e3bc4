"""What an interactive track of a protocol will cost, before it starts.

Every memory of the track runs every session of the plan with the scripted ``context`` agent (it
makes each gold step its view shows the values of, and skips the others: a model that acts when
it can), in process, on the track's real world (so the estimate needs the track's engine). Each
turn is one call: its prompt is the view the memory left plus the tools' schemas, its completion
the tool calls or the reply the agent made (memgym's token counter). A model that explores, loops
on tools or gives up early costs more or less: it is an estimate of a competent agent's turns.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection
from typing import Any

from memgym.interactive.loop import Limits, run_session
from memgym.interactive.registry import make_agent
from memgym.memory.history.history_memory import HistoryMemory
from memgym.protocol.estimate import TrackCost
from memgym.protocol.spec import Protocol
from memgym.tokens import count_tokens
from memgym.tracks import get_track
from memgym.tracks.session import AgentTurn, Session, ToolCall

AGENT = "context"


class CountedSession:
    """A session whose agent's output is counted (memgym tokens) as it passes to the world."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self.completion_tokens = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._session, name)

    def call(self, tool_call: ToolCall) -> str:
        self.completion_tokens += count_tokens(f"{tool_call.name} {tool_call.arguments}")
        return self._session.call(tool_call)

    def reply(self, turn: AgentTurn | None) -> str | None:
        if turn is not None:
            self.completion_tokens += count_tokens(turn.content)
        return self._session.reply(turn)


def session_estimate(
    protocol: Protocol,
    track_name: str,
    on_episode: Callable[[], None] | None = None,
    pending: Collection[tuple[int, str]] | None = None,
) -> TrackCost:
    """The cost of the interactive track ``track_name`` of ``protocol``: of its episodes in
    ``pending`` (seed, memory) only, when given (what a resumed run has left); ``on_episode`` is
    called after each episode."""
    (plan,) = [p for p in protocol.sessions if p.track == track_name]
    track = get_track(plan.track)
    calls = prompt = completion = episodes = 0
    for seed in plan.seeds:
        specs = [m for m in protocol.session_memories if pending is None or (seed, m) in pending]
        if not specs:
            continue
        scenario = track.generate(seed, plan.tier, **plan.params)
        for spec in specs:
            session = track.open(scenario)  # type: ignore[attr-defined]
            agent = make_agent(AGENT, track)  # type: ignore[arg-type]
            counted = CountedSession(session)
            try:
                schemas = count_tokens(json.dumps(session.tools))
                history = HistoryMemory(spec, track.name, scenario.hash)
                log = run_session(counted, agent, history, Limits())  # type: ignore[arg-type]
            finally:
                session.close()
                agent.close()
            calls += log.turns
            prompt += log.view_tokens + log.turns * schemas
            completion += counted.completion_tokens
            episodes += 1
            if on_episode is not None:
                on_episode()
    return TrackCost(plan.track, episodes, calls, prompt, completion)
