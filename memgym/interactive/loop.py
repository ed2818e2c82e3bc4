"""The agent loop of an interactive session, with a memory strategy compacting the history.

::

    messages = session.start()
    repeat:
        view = history.compact(messages)          # the strategy decides what the agent sees
        turn = agent.act(view, session.tools)     # scripted or any OpenAI-compatible model
        messages += turn
        tool calls  -> session.call(each)  -> tool results appended
        text        -> session.reply(turn) -> the other party's message appended (None: over)
    session.outcomes()                            # each task verified by the track

The full history is never cut: the strategy only chooses the view. Failures follow the house
rule: an ``InfraError`` (endpoint down, world crashed) ends the session and marks the tasks not
yet verified ``infra_error`` (excluded, counted, re-run by ``--resume``); a ``ModelError`` (a
reply cut off, a context the model cannot hold even after forced compaction) is the agent's
failure: the turn is lost, counted, and the task goes on within its turn budget.

Agents are stateless by construction (``memgym.interactive.stateless``): every turn is acted by
an agent built afresh from its recipe (``make_agent(spec)``'s class and arguments), and a turn
that changes the data of the agent's class, its module or its arguments fails the run (every
task 0, ``model_error``): all an agent knows comes through the view.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from memgym.errors import ContextOverflow, InfraError, ModelError
from memgym.interactive.agents import Agent
from memgym.interactive.stateless import (
    FreshAgents,
    Snapshot,
    SpendListener,
    changed_by,
    outside_state,
)
from memgym.memory.history.compactor import Compactor
from memgym.memory.history.history_memory import view_tokens
from memgym.specs import memgym_code
from memgym.tracks.agent import PlanCursor
from memgym.tracks.session import AgentTurn, ChatMessage, Session, TaskOutcome, ToolCall


@dataclass(frozen=True)
class Limits:
    """Bounds on one session: agent turns per task (then the task is ended for the agent) and
    characters of one tool result kept in the history (longer ones are cut, and say so)."""

    turns_per_task: int = 30
    result_chars: int = 40_000

    def __post_init__(self) -> None:
        if self.turns_per_task < 1 or self.result_chars < 100:
            raise ValueError("limits: turns_per_task must be >= 1 and result_chars >= 100")


@dataclass
class SessionLog:
    """What happened in one session, before scoring."""

    outcomes: list[TaskOutcome] = field(default_factory=list)
    turns: int = 0
    tool_calls: int = 0
    refused_calls: int = 0
    """Tool calls beyond the session's ``calls_per_turn``, answered with an error."""
    model_errors: int = 0
    overflows: int = 0
    view_tokens: int = 0
    history_tokens: int = 0
    errors: list[str] = field(default_factory=list)
    infra_error: str = ""
    stateful: str = ""
    """Why the run failed for an agent that kept state across turns (``""``: it did not)."""
    spend: dict[str, float] = field(default_factory=dict)
    """The agent's LLM spend, summed over its turns."""


def run_session(
    session: Session,
    agent: Agent,
    history: Compactor,
    limits: Limits = Limits(),
    on_spend: SpendListener | None = None,
) -> SessionLog:
    """Drive ``session`` with ``agent`` seeing ``history``'s view; the caller closes both. An
    agent configured with its own turns per task (``Agent.turn_limit``) overrides ``limits``;
    ``on_spend`` is told the agent's LLM spend so far after every turn."""
    log = SessionLog()
    cursor = PlanCursor(session.oracle) if agent.needs_oracle else None
    agents = FreshAgents(agent, cursor, on_spend)
    outside = outside_state(agent)
    messages = list(session.start())
    used: set[str] = set()
    per_task = agent.turn_limit() or limits.turns_per_task
    turns_on_task = 0
    try:
        while True:
            if turns_on_task >= per_task:
                opening = session.reply(None)
                if opening is None:
                    break
                messages.append({"role": "user", "content": opening})
                turns_on_task = 0
                continue
            turn = _act(agents, outside, history, messages, session, log)
            turns_on_task += 1
            log.turns += 1
            if log.stateful:
                break
            if turn is None:
                continue
            turn = _unique_ids(turn, used)
            messages.append(turn.message())
            if turn.tool_calls:
                cap = session.calls_per_turn
                for n, call in enumerate(turn.tool_calls):
                    log.tool_calls += 1
                    if cap and n >= cap:
                        log.refused_calls += 1
                        result = f"error: not carried out: at most {cap} tool calls per turn"
                    else:
                        result = _clip(session.call(call), limits.result_chars)
                    messages.append({"role": "tool", "tool_call_id": call.id, "content": result})
                continue
            task = session.position()
            answer = session.reply(turn)
            if answer is None:
                break
            messages.append({"role": "user", "content": answer})
            turns_on_task = 0 if session.position() != task else turns_on_task
    except InfraError as exc:
        log.infra_error = str(exc)
        log.errors.append(f"infra: {exc}")
    log.outcomes = session.outcomes()
    log.spend = agents.spend
    if log.stateful:
        log.outcomes = [
            replace(o, reward=0.0, status="model_error", detail=log.stateful) for o in log.outcomes
        ]
    elif log.infra_error:
        ended = session.position()
        log.outcomes = [
            o if i < ended else replace(o, reward=0.0, status="infra_error", detail=log.infra_error)
            for i, o in enumerate(log.outcomes)
        ]
    log.history_tokens = view_tokens(messages)
    return log


def _act(
    agents: FreshAgents,
    outside: Snapshot,
    history: Compactor,
    messages: list[ChatMessage],
    session: Session,
    log: SessionLog,
) -> AgentTurn | None:
    """One agent turn over the compacted view; None when the turn was lost to a model error.
    A context overflow forces compactions (oldest half of the view, for good) until the model
    takes the view or nothing is left to drop (then the turn is the model's failure). Each try is
    made by an agent built afresh; one that changed its class's, module's or arguments' data
    ends the run (``log.stateful``)."""
    view: list[ChatMessage] | None = history.compact(messages)
    while view is not None:
        log.view_tokens += view_tokens(view)
        try:
            with agents.turn() as agent:
                try:
                    return agent.act(view, session.tools)
                finally:
                    log.stateful = log.stateful or changed_by(agent, outside)
        except ContextOverflow:  # before ModelError, its base: a forced compaction, not a loss
            log.overflows += 1
            view = history.force()
        except ModelError as exc:
            log.model_errors += 1
            log.errors.append(f"model: {exc}")
            return None
        except InfraError as exc:
            if memgym_code(agents.recipe.cls):  # its client tells a lost endpoint from a failure
                raise
            log.model_errors += 1  # any other agent could excuse its failures: they are its own
            log.errors.append(f"model: the agent raised InfraError, counted as its failure: {exc}")
            return None
    log.model_errors += 1
    log.errors.append("model: context_overflow: the view does not fit even with nothing dropped")
    return None


def _unique_ids(turn: AgentTurn, used: set[str]) -> AgentTurn:
    """``turn`` with any tool-call id already used in the session made unique (an agent that
    lives one turn cannot know the ids it gave before)."""
    calls = []
    for c in turn.tool_calls:
        name, n = c.id or "call", 1
        while name in used:
            n += 1
            name = f"{c.id or 'call'}_{n}"
        used.add(name)
        calls.append(c if name == c.id else ToolCall(name, c.name, c.arguments))
    return AgentTurn(turn.content, tuple(calls))


def _clip(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return text[:limit] + f"\n[... {len(text) - limit} more characters cut]"
