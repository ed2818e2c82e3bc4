"""One interactive episode, run and scored into the same ``EpisodeResult`` row as every track.

Each task becomes one answer record (``kind`` and ``axis`` ``task``; right when its reward is 1),
so ``run``, ``compare``, ``results``, the leaderboard and the report read interactive episodes
unchanged. ``composite`` is the mean task reward, ``accuracy`` the share of tasks solved. Tasks
a track marks unscored (``TaskOutcome.scored``: they need no memory) are reported apart, as
``setup_tasks`` and ``setup_solved`` in ``usage``, and are in no score.
``usage`` adds the loop's counts to the model's spend: ``turns``, ``tool_calls``,
``view_tokens`` (memgym tokens of every view sent to the agent), ``history_tokens`` (the whole
uncompacted history at the end), ``overflows`` and ``model_errors``, and ``refused_calls`` when
a turn made more tool calls than its session carries out (``Session.calls_per_turn``).
"""

from __future__ import annotations

from collections.abc import Iterable

from memgym import __version__
from memgym.interactive.loop import Limits, SessionLog, run_session
from memgym.interactive.registry import make_agent
from memgym.interactive.stateless import SpendListener
from memgym.llm.usage import add_usage
from memgym.memory.history.compactor import Compactor, HistoryFactory
from memgym.memory.history.history_memory import HistoryMemory
from memgym.memory.registry import memory_factory
from memgym.specs import IN_PROCESS, in_process_label, parse_spec
from memgym.tracks.agent import Agent, agent_factory
from memgym.tracks.interactive import InteractiveTrack
from memgym.types import AnswerRecord, EpisodeResult, Scenario

SOLVED = 1.0 - 1e-9


def evaluate_interactive(
    track: InteractiveTrack,
    scenario: Scenario,
    memory: str,
    agent: str | Agent,
    limits: Limits | None = None,
    histories: HistoryFactory | None = None,
    on_spend: SpendListener | None = None,
) -> EpisodeResult:
    """Run ``scenario`` with ``agent`` (a spec or an instance) seeing its history through
    memory ``memory``, and score it. ``histories`` makes the episode's history memory (default:
    ``HistoryMemory``, in this process; ``memgym.run`` hands one that compacts behind the trust
    boundary); the agent always runs here. ``on_spend`` is told the agent's LLM spend so far
    after every turn. The result records what ran the memory and the agent
    (``EpisodeResult.boundary``)."""
    actor = make_agent(agent, track) if isinstance(agent, str) else agent
    episode = scenario.hash
    try:
        history = (histories or HistoryMemory)(memory, track.name, episode)
    except BaseException:
        actor.close()
        raise
    try:
        session = track.open(scenario)
        try:
            log = run_session(session, actor, history, limits or Limits(), on_spend)
        finally:
            session.close()
    finally:
        actor.close()
        history.close()
    result = score_session(scenario, log, history, actor)
    factories: list[object] = [actor]
    if isinstance(agent, str):
        factories.append(agent_factory(parse_spec(agent)[0]))
    if history.boundary is None:
        factories.append(memory_factory(parse_spec(memory)[0]))
    label = in_process_label(*factories)
    if history.boundary and label == IN_PROCESS:  # memgym's agent, the memory behind the boundary
        label = history.boundary
    result.boundary = label  # type: ignore[assignment]
    return result


def score_session(
    scenario: Scenario, log: SessionLog, history: Compactor, agent: Agent
) -> EpisodeResult:
    """The result row of one session."""
    setup = [o for o in log.outcomes if not o.scored]
    outcomes = [o for o in log.outcomes if o.scored]
    answers = [
        AnswerRecord(
            question_id=o.task_id,
            kind="task",
            axis="task",
            answer=f"reward {o.reward:g}" + (f": {o.detail}" if o.detail else ""),
            correct=o.status == "ok" and o.reward >= SOLVED,
            status=o.status,
            error=o.detail if o.status != "ok" else None,
        )
        for o in outcomes
    ]
    scored = [o for o in outcomes if o.status != "infra_error"]
    mean = sum(o.reward for o in scored if o.status == "ok") / len(scored) if scored else 0.0
    solved = sum(a.correct for a in answers)
    counts = {
        "turns": log.turns,
        "tool_calls": log.tool_calls,
        "view_tokens": log.view_tokens,
        "history_tokens": log.history_tokens,
        "overflows": log.overflows,
        "model_errors": log.model_errors,
    }
    if log.refused_calls:
        counts["refused_calls"] = log.refused_calls
    if setup:
        counts["setup_tasks"] = len(setup)
        counts["setup_solved"] = sum(o.status == "ok" and o.reward >= SOLVED for o in setup)
    return EpisodeResult(
        track=scenario.track,
        seed=scenario.seed,
        params=scenario.params,
        scenario_hash=history.episode,
        memory=history.config(),
        reasoner=agent.config(),
        model=agent.model_id(),
        version=__version__,
        axes={"task": mean},
        composite=mean,
        accuracy=solved / len(scored) if scored else 0.0,
        abstention=None,
        questions=len(scored),
        correct=solved,
        writes_used=0,
        tokens_observed=log.history_tokens,
        tokens_stored=0,
        status="infra_error" if log.infra_error else "ok",
        reason=log.infra_error or None,
        usage=add_usage([_spend(log), {k: float(v) for k, v in counts.items()}]),
        answers=answers,
        compactions=history.records,
    )


def outcome_class(answer: AnswerRecord) -> str:
    """A task's outcome: ``solved`` (reward 1), ``failed`` (verified, reward below 1), or the
    status that ended it (``model_error``, ``context_overflow``, ``infra_error``)."""
    if answer.correct:
        return "solved"
    return "failed" if answer.status == "ok" else str(answer.status)


def outcome_counts(results: Iterable[EpisodeResult]) -> dict[str, dict[str, int]]:
    """memory -> outcome class -> tasks, over the episodes ``results`` of interactive tracks."""
    counts: dict[str, dict[str, int]] = {}
    for result in results:
        classes = counts.setdefault(result.memory, {})
        for answer in result.answers:
            cls = outcome_class(answer)
            classes[cls] = classes.get(cls, 0) + 1
    return counts


OUTCOMES = ("solved", "failed", "model_error", "context_overflow", "infra_error")
"""Outcome classes in the order they are listed."""


def outcome_text(counts: dict[str, int]) -> str:
    """``4 solved, 1 failed, 1 model_error``: the classes a memory's tasks ended in."""
    known = [c for c in OUTCOMES if counts.get(c)]
    rest = sorted(c for c in counts if c not in OUTCOMES and counts[c])
    return ", ".join(f"{counts[c]} {c}" for c in [*known, *rest]) or "-"


def _spend(log: SessionLog) -> dict[str, float]:
    """The agent's LLM spend over its turns, less its ledger's ``overflows``: the loop counts
    each overflow itself (every one forced a compaction), so it is not counted twice."""
    spend = dict(log.spend)
    spend.pop("overflows", None)
    return spend
