"""Counterfactual replay of an interactive session's compactions: MemRM rows from agent episodes.

The question-stream replay (``replay.py``) re-asks later questions with a compaction's spans
pinned back into the views. An interactive session has no questions to re-ask: the agent's later
turns depend on what it saw. So the session is **re-run** (same scenario, same deterministic
agent) with the history units the compaction dropped kept in every view
(``HistoryMemory(keep=...)``: the strategy observes and decides exactly as before, only the
agent's view gains them). Up to the compaction the re-run is the actual run, step for step.

- **Single undo** (``harmful_single``): HARMFUL when some task that failed in the actual run
  (and was not over at the compaction) is solved in the re-run; ``delta`` is the change in the
  share of those not-yet-over tasks solved.
- **Shared harm** (``harmful``): a failed task is *recoverable* when keeping what every
  compaction before its end dropped solves it; its compactions are then restored one at a time,
  oldest first (``replay.restore_oldest_first``), and those that cannot be restored are charged.

Pins are by unit text: after a pin changes what the agent does, the later history differs, and
what a later compaction dropped in the actual run may not exist in the re-run (it then restores
nothing). Dropped notes the memory wrote (a summary, a placeholder) are not units and are not
restored; a compaction that drops no unit is left out (counted). Each dropped span of a row
carries as ``facts`` the values a gold step of a task not yet over needs that it states (the
oracle plan's ``needs``; no model reads them): the interactive analogue of "drops a fact".
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from memgym.interactive.loop import Limits, run_session
from memgym.interactive.registry import make_agent
from memgym.memory.history.history_memory import HistoryMemory
from memgym.memory.history.units import split
from memgym.rm.rows import LABELS, Row, record_row
from memgym.rmdata.replay import restore_oldest_first
from memgym.tracks.interactive import InteractiveTrack
from memgym.tracks.session import (
    AgentTurn,
    ChatMessage,
    OraclePlan,
    Session,
    TaskOutcome,
    ToolCall,
)
from memgym.types import CompactionRecord, Scenario


@dataclass
class SessionRun:
    """One session's outcome and compactions."""

    solved: list[bool]
    """Per task, in order: solved (reward 1, status ok)."""
    records: list[CompactionRecord]
    positions: list[int]
    """Per record: the index of the task in progress when it was made."""
    needs: dict[int, set[str]]
    """Per task index: the values its gold plan's steps need (from the oracle)."""
    units: set[str]
    """The texts of every history unit of the session (what a pin can restore)."""
    infra_error: str = ""


class _Tapped(Session):
    """A session passed through, noting the gold plan of every task the oracle serves."""

    def __init__(self, inner: Session) -> None:
        self.inner = inner
        self.tools = inner.tools
        self.plans: dict[str, OraclePlan] = {}

    def start(self) -> list[ChatMessage]:
        return self.inner.start()

    def call(self, tool_call: ToolCall) -> str:
        return self.inner.call(tool_call)

    def reply(self, turn: AgentTurn | None) -> str | None:
        return self.inner.reply(turn)

    def position(self) -> int:
        return self.inner.position()

    def outcomes(self) -> list[TaskOutcome]:
        return self.inner.outcomes()

    def oracle(self) -> OraclePlan | None:
        plan = self.inner.oracle()
        if plan is not None:
            self.plans.setdefault(plan.task_id, plan)
        return plan

    def close(self) -> None:
        self.inner.close()


class _TappedHistory(HistoryMemory):
    """A history memory noting the task in progress at each compaction and the last history."""

    def __init__(self, spec: str, track: str, episode: str, keep: Collection[str]) -> None:
        super().__init__(spec, track, episode, keep)
        self.session: Session | None = None
        self.positions: list[int] = []
        self.last: list[ChatMessage] = []

    def compact(self, messages: Sequence[ChatMessage]) -> list[ChatMessage]:
        view = super().compact(messages)
        self.last = list(messages)
        task = self.session.position() if self.session is not None else 0
        self.positions += [task] * (len(self.records) - len(self.positions))
        return view


def run_pinned(
    track: InteractiveTrack,
    scenario: Scenario,
    memory: str,
    agent: str,
    keep: Collection[str] = (),
    limits: Limits | None = None,
) -> SessionRun:
    """Run one session of ``scenario`` with ``agent`` under ``memory``, the history units whose
    text is in ``keep`` shown in every view."""
    actor = make_agent(agent, track)
    history = _TappedHistory(memory, track.name, scenario.hash, keep)
    session = _Tapped(track.open(scenario))
    history.session = session
    try:
        log = run_session(session, actor, history, limits or Limits())
    finally:
        session.close()
        actor.close()
    index = {o.task_id: i for i, o in enumerate(log.outcomes)}
    needs: dict[int, set[str]] = {}
    for task_id, plan in session.plans.items():
        needs.setdefault(index.get(task_id, -1), set()).update(
            n for step in plan.steps for n in step.needs
        )
    return SessionRun(
        solved=[o.status == "ok" and o.reward >= 1.0 - 1e-9 for o in log.outcomes],
        records=list(history.records),
        positions=list(history.positions),
        needs=needs,
        units={u.text for u in split(history.last).body} if history.last else set(),
        infra_error=log.infra_error,
    )


@dataclass
class SessionLabels:
    """Both labels of every compaction of one session that dropped a unit, and the stats."""

    actual: SessionRun
    kept: list[int]
    """Indices (into ``actual.records``) of the labelled compactions."""
    single: dict[int, bool]
    delta: dict[int, float]
    later: dict[int, int]
    shared: dict[int, bool]
    charged: dict[int, int]
    stats: dict[str, int] = field(default_factory=dict)
    replays: int = 0


def label_session(
    track: InteractiveTrack,
    scenario: Scenario,
    memory: str,
    agent: str = "context",
    shared: bool = True,
    limits: Limits | None = None,
) -> SessionLabels:
    """Run the session once, then label its compactions by re-running it with pins."""
    actual = run_pinned(track, scenario, memory, agent, (), limits)
    if actual.infra_error:
        raise RuntimeError(f"infra error in the actual run: {actual.infra_error}")
    runs: dict[frozenset[str], list[bool]] = {frozenset(): actual.solved}

    def pins(chosen: Iterable[int]) -> frozenset[str]:
        return frozenset(
            s.text for i in chosen for s in actual.records[i].dropped if s.text in actual.units
        )

    def solved(chosen: Iterable[int]) -> list[bool]:
        texts = pins(chosen)
        if texts not in runs:
            run = run_pinned(track, scenario, memory, agent, texts, limits)
            if run.infra_error:
                raise RuntimeError(f"infra error in a replay: {run.infra_error}")
            runs[texts] = run.solved
        return runs[texts]

    tasks = len(actual.solved)
    failed = [t for t in range(tasks) if not actual.solved[t]]
    kept = [i for i in range(len(actual.records)) if pins([i])]
    single: dict[int, bool] = {}
    delta: dict[int, float] = {}
    later: dict[int, int] = {}
    fixes: dict[int, list[int]] = {}
    for i in kept:
        ahead = list(range(actual.positions[i], tasks))
        later[i] = len(ahead)
        lost = [t for t in failed if t >= actual.positions[i]]
        if not lost or not ahead:  # nothing to recover: the re-run cannot turn a loss around
            single[i], delta[i], fixes[i] = False, 0.0, []
            continue
        counter = solved([i])
        fixes[i] = [t for t in lost if counter[t]]
        single[i] = bool(fixes[i])
        delta[i] = sum(counter[t] - actual.solved[t] for t in ahead) / len(ahead)
    charges: dict[int, tuple[int, ...]] = {}
    if shared:
        for t in failed:
            useful = [i for i in kept if actual.positions[i] <= t]
            if not useful or not solved(useful)[t]:
                charges[t] = ()
                continue
            charges[t] = tuple(restore_oldest_first(useful, partial(_solves, solved, t)))
    charged = {i: sum(i in c for c in charges.values()) for i in kept}
    by_single = {t: sum(t in f for f in fixes.values()) for t in failed}
    recoverable = [t for t, c in charges.items() if c]
    stats = {
        "tasks": tasks,
        "lost": len(failed),
        "lost_charged_single": sum(1 for t in failed if by_single[t]),
        "recoverable": len(recoverable),
        "charged_single": sum(1 for t in recoverable if by_single[t]),
        "charged_single_several": sum(1 for t in recoverable if by_single[t] > 1),
        "charged_shared": len(recoverable),
        "charged_shared_several": sum(1 for t in recoverable if len(charges[t]) > 1),
        "compactions": len(actual.records),
        "no_unit_dropped": len(actual.records) - len(kept),
    }
    return SessionLabels(
        actual, kept, single, delta, later,
        shared={i: charged[i] > 0 for i in kept} if shared else dict(single),
        charged=charged, stats=stats, replays=len(runs) - 1,
    )  # fmt: skip


def _solves(
    solved: Callable[[Iterable[int]], list[bool]], task: int, chosen: Sequence[int]
) -> bool:
    return solved(chosen)[task]


def session_rows(
    labels: SessionLabels, scenario: Scenario, memory: str, agent: str, **extra: Any
) -> list[Row]:
    """The labelled rows of a session's compactions (``memgym.rm.rows`` format); each dropped
    span's ``facts`` are the needed values of tasks not yet over that it states."""
    actual = labels.actual
    rows = []
    for i in labels.kept:
        record = actual.records[i]
        ahead = {n for t, ns in actual.needs.items() if t >= actual.positions[i] for n in ns}
        harmful = int(labels.shared[i])
        row = record_row(
            record, scenario.brief,
            id=f"{record.episode[:12]}-{memory}-{i}", track=scenario.track, seed=scenario.seed,
            memory=memory, agent=agent, position=actual.positions[i],
            harmful=harmful, label=LABELS[harmful], harmful_single=int(labels.single[i]),
            charged=labels.charged[i], delta=labels.delta[i], later=labels.later[i], **extra,
        )  # fmt: skip
        for d in row["dropped"]:
            d["facts"] = sorted(n for n in ahead if n and n in d["text"])
        rows.append(row)
    return rows
