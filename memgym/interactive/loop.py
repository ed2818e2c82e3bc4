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
"""

from __future__ import annotations

from dataclasses import dataclass, field

from memgym.errors import ContextOverflow, InfraError, ModelError
from memgym.interactive.agents import Agent
from memgym.memory.history.history_memory import HistoryMemory, view_tokens
from memgym.tracks.session import AgentTurn, ChatMessage, Session, TaskOutcome


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
    model_errors: int = 0
    overflows: int = 0
    view_tokens: int = 0
    history_tokens: int = 0
    errors: list[str] = field(default_factory=list)
    infra_error: str = ""


def run_session(
    session: Session, agent: Agent, history: HistoryMemory, limits: Limits = Limits()
) -> SessionLog:
    """Drive ``session`` with ``agent`` seeing ``history``'s view; the caller closes both."""
    log = SessionLog()
    agent.reset(session.oracle if agent.needs_oracle else None)
    messages = list(session.start())
    turns_on_task = 0
    try:
        while True:
            if turns_on_task >= limits.turns_per_task:
                opening = session.reply(None)
                if opening is None:
                    break
                messages.append({"role": "user", "content": opening})
                turns_on_task = 0
                continue
            turn = _act(agent, history, messages, session, log)
            turns_on_task += 1
            log.turns += 1
            if turn is None:
                continue
            messages.append(turn.message())
            if turn.tool_calls:
                for call in turn.tool_calls:
                    log.tool_calls += 1
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
    if log.infra_error:
        ended = session.position()
        log.outcomes = [
            o if i < ended else TaskOutcome(o.task_id, 0.0, "infra_error", log.infra_error)
            for i, o in enumerate(log.outcomes)
        ]
    log.history_tokens = view_tokens(messages)
    return log


def _act(
    agent: Agent,
    history: HistoryMemory,
    messages: list[ChatMessage],
    session: Session,
    log: SessionLog,
) -> AgentTurn | None:
    """One agent turn over the compacted view; None when the turn was lost to a model error.
    A context overflow forces compactions (oldest half of the view, for good) until the model
    takes the view or nothing is left to drop (then the turn is the model's failure)."""
    view: list[ChatMessage] | None = history.compact(messages)
    while view is not None:
        log.view_tokens += view_tokens(view)
        try:
            return agent.act(view, session.tools)
        except ContextOverflow:  # before ModelError, its base: a forced compaction, not a loss
            log.overflows += 1
            view = history.force()
        except ModelError as exc:
            log.model_errors += 1
            log.errors.append(f"model: {exc}")
            return None
    log.model_errors += 1
    log.errors.append("model: context_overflow: the view does not fit even with nothing dropped")
    return None


def _clip(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return text[:limit] + f"\n[... {len(text) - limit} more characters cut]"
