"""τ²-bench sessions through memgym: the gold plan solves every task it is given and doing
nothing solves only the tasks that need nothing done, both by τ²-bench's own evaluator; a
callback is lost with the memory that dropped its first call; ``memgym run`` and ``compare``."""

from __future__ import annotations

from pathlib import Path

import pytest

from memgym.tracks.tau2 import loader

if not loader.available():
    pytest.skip(loader.MISSING, allow_module_level=True)

import json
import re
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from memgym.cli import main
from memgym.commands.compare import run_comparison
from memgym.interactive.agents import Agent
from memgym.interactive.cheats import GENERIC
from memgym.interactive.episode import evaluate_interactive
from memgym.interactive.loop import run_session
from memgym.interactive.registry import make_agent
from memgym.memory.history.history_memory import HistoryMemory
from memgym.run.results import ResultsStore
from memgym.tracks import get_track
from memgym.tracks.session import AgentTurn, ChatMessage, ToolCall
from memgym.tracks.tau2.customer import STOP, scenario_text
from memgym.tracks.tau2.plan import changes_world, gold_steps
from memgym.tracks.tau2.session import ACTED_EARLY, SHIFT

TRACK = get_track("tau2")


def _solved(domain: str, seed: int, agent: str, memory: str = "full", **params: object) -> dict:
    """Every task's (solved, answer text), scored or reported apart, from the session's log."""
    scenario = TRACK.generate(seed, None, domain=domain, **params)
    session = TRACK.open(scenario)
    actor = make_agent(agent, TRACK)
    try:
        log = run_session(session, actor, HistoryMemory(memory, "tau2", scenario.hash))
    finally:
        session.close()
        actor.close()
    return {
        o.task_id: (o.reward == 1.0, f"reward {o.reward:g}: {o.detail}", o.scored)
        for o in log.outcomes
    }


def _needs_nothing(task_id: str) -> bool:
    """Recomputed from the task: nothing to write and nothing to tell (the empty-handed floor)."""
    domain, tid = task_id.split("/", 1)
    task = loader.tasks(domain)[tid]
    communicate = task.evaluation_criteria.communicate_info
    return not changes_world(task, loader.domain_info(domain).writes) and not communicate


@pytest.mark.parametrize(
    ("domain", "customers"), [("mock", 8), ("telecom", 4), ("airline", 2), ("retail", 2)]
)
def test_gold_solves_every_task_and_noop_only_those_needing_nothing(
    domain: str, customers: int
) -> None:
    gold = _solved(domain, 0, "gold", customers=customers, callbacks=0)
    noop = _solved(domain, 0, "noop", customers=customers, callbacks=0)
    assert len(gold) == min(customers, len(loader.tasks(domain)))
    assert all(ok for ok, _, _ in gold.values()), gold
    for task_id, (ok, answer, _) in noop.items():
        if domain in ("airline", "retail", "telecom"):
            assert ok == _needs_nothing(task_id), (task_id, answer)
    if domain == "telecom":
        assert not any(ok for ok, _, _ in noop.values())  # every small task needs the phone fixed
    assert not any(scored for _, _, scored in gold.values())  # served in one call: apart


def test_an_evaluator_failure_scores_zero_and_says_why() -> None:
    noop = _solved("mock", 0, "noop", customers=8, callbacks=0)
    failed = [a for ok, a, _ in noop.values() if "evaluator error" in a]
    assert failed and all(a.startswith("reward 0") for a in failed)  # "task not found" in tau2


def test_every_scored_task_is_a_callback_that_needs_its_first_call() -> None:
    """The scored tasks are the callbacks; each one's first gold step needs a detail the
    customer gave only in its first call (recomputed here from the task), so ``context`` solves
    it with ``full`` history and neither ``none`` nor ``noop`` does."""
    params = {"customers": 8, "callbacks": 3, "gap": 2}
    scenario = TRACK.generate(0, None, domain="mock", **params)
    assert TRACK.generate(0, None, domain="mock", **params).hash == scenario.hash
    assert not TRACK.check(scenario)
    session = TRACK.open(scenario)
    try:
        head = session.start()[:2]  # system prompt and the first user message: pinned
        callbacks = {session._id(c.task) for c in session.calls if c.part == "callback"}
    finally:
        session.close()
    pinned = "\n".join(m["content"] for m in head)
    assert pinned.endswith(SHIFT.format(calls=len(session.calls)))
    assert len(callbacks) == 3
    full, none, noop = (
        _solved("mock", 0, a, m, **params)
        for a, m in (("context", "full"), ("context", "none"), ("noop", "full"))
    )
    assert {t for t, (_, _, scored) in full.items() if scored} == callbacks
    for task_id in callbacks:
        task = loader.tasks("mock")[task_id.split("/", 1)[1]]
        said = scenario_text(task.user_scenario.instructions)
        assert any(n in said and n not in pinned for n in gold_steps(task)[0].needs), task_id
        assert full[task_id][0] and not none[task_id][0] and not noop[task_id][0], task_id


def test_the_lite_audit_reports_mock_outside_the_gate() -> None:
    """``memgym audit``'s run on a lite shift (mock): the scripted reference agent with ``full``
    solves every scored task, ``none`` and the generic cheats (peek, notes, notes-class) none of
    them, ``tau2-prior`` exactly the callbacks whose gold writes are its guess (recomputed from
    the tasks); mock is left out of the gate, so the audit reports it and passes; the tasks
    served in one call are counted apart."""
    from memgym.interactive.audit import audit_interactive
    from memgym.interactive.tau2_prior import prior_writes
    from memgym.tracks.tau2.plan import task_writes

    assert TRACK.gated and TRACK.ungated_groups == ("mock",)
    audit = audit_interactive(TRACK, "lite", [0])
    scenario = TRACK.generate(0, "lite")
    plan = json.loads(scenario.brief.splitlines()[-1])
    callbacks = [scenario.events[i].text for i, part in plan["calls"] if part == "callback"]
    assert audit.tasks == len(callbacks) == 2
    assert audit.setup["tasks"] == len(scenario.events) - 2
    (group,) = audit.groups.values()
    assert group.group == "mock" and group.solved == {"gold": 2, "noop": 0, "context": 2, "none": 0}
    assert all(group.cheats[c] == 0 for c in GENERIC)
    writes = loader.domain_info("mock").writes
    hit = [t for t in callbacks if task_writes(loader.tasks("mock")[t.split("/")[1]], writes)
           == prior_writes("mock")]  # fmt: skip
    assert group.cheats["tau2-prior"] == len(hit)
    assert not audit.enforced and audit.passed  # reported, never enforced


class ActEarly(Agent):
    """Carries out each callback's gold tool calls in its first call, while the customer says
    it is not ready, then says it is done; says it is done on every other call. Stateless: the
    call is the last ``[Call N]`` opening in its (full) view, the step the tool results since."""

    name = "act-early"

    def __init__(self, early: dict[int, list[ToolCall]]) -> None:
        self.early = early

    def act(self, messages: Sequence[ChatMessage], tools: Sequence[dict[str, Any]]) -> AgentTurn:
        opening = max(
            i for i, m in enumerate(messages) if str(m.get("content")).startswith("[Call ")
        )
        number = int(re.match(r"\[Call (\d+)\]", messages[opening]["content"])[1])  # type: ignore[index]
        done = sum(m["role"] == "tool" for m in messages[opening:])
        plan = self.early.get(number, [])
        if done < len(plan):
            return AgentTurn(tool_calls=(plan[done],))
        return AgentTurn(f"That is all. {STOP}")


def test_acting_before_the_callback_fails_it() -> None:
    params = {"customers": 8, "callbacks": 3, "gap": 2}
    scenario = TRACK.generate(0, None, domain="mock", **params)
    session = TRACK.open(scenario)
    try:
        early = {
            n + 1: [
                replace(c, id=f"early_{n}_{i}")
                for i, c in enumerate(
                    c for s in gold_steps(session.states[call.task].task) for c in s.turn.tool_calls
                )
            ]
            for n, call in enumerate(session.calls)
            if call.part == "first"
        }
        ids = {n + 1: session._id(call.task) for n, call in enumerate(session.calls)}
    finally:
        session.close()
    acted = {ids[n] for n, plan in early.items() if plan}
    assert acted
    session = TRACK.open(scenario)
    try:
        log = run_session(session, ActEarly(early), HistoryMemory("full", "tau2", "e"))
    finally:
        session.close()
    outcomes = {o.task_id: o for o in log.outcomes}
    for task_id in acted:
        assert outcomes[task_id].reward == 0.0 and outcomes[task_id].detail == ACTED_EARLY
    # the control: τ²-bench's evaluator alone passes a callback served early (the world is as
    # the customer asked), so only the enforcement fails it
    assert any(outcomes[t].info["evaluator_reward"] == 1.0 for t in acted)


def test_memgym_run_stores_the_reference_agents(tmp_path: Path) -> None:
    results = tmp_path / "r.sqlite"
    args = ["run", "--track", "tau2", "--param", "domain=mock", "--param", "customers=8"]
    assert main([*args, "--seeds", "1", "--results", str(results)]) == 0
    with ResultsStore(results) as store:
        (run,) = store.runs()
        episodes = {e.reasoner: e for e in store.episodes(run["id"])}
    assert set(episodes) == {"gold", "context", "noop"}
    assert episodes["gold"].composite == 1.0 > episodes["noop"].composite
    assert episodes["gold"].usage["tool_calls"] > 0
    assert main([*args, "--param", "domain=banking", "--results", str(results)]) == 2


def test_compare_pairs_strategies_with_full_on_the_same_tasks() -> None:
    fixed = {"domain": "mock", "customers": 8, "callbacks": 3, "gap": 2}
    tight = "window:max_tokens=150"
    comparison = run_comparison("tau2", None, [0], [tight], fixed=fixed, resamples=200)
    scores = comparison.scores
    assert list(scores) == ["none", "full", tight]
    assert scores["none"].accuracy < scores["full"].accuracy
    assert scores[tight].accuracy <= scores["full"].accuracy
    assert comparison.compactions_per_episode[tight] > 0


def test_compactions_become_labelled_rm_rows(tmp_path: Path) -> None:
    from memgym.rmdata.dataset import add_split
    from memgym.rmdata.tau2_rows import harm_rows

    params = {"domain": "mock", "customers": 8, "callbacks": 3, "gap": 2}
    scenario = TRACK.generate(0, None, **params)
    tight = "window:max_tokens=150"
    full, cut = (evaluate_interactive(TRACK, scenario, m, "context") for m in ("full", tight))
    rows = harm_rows([full, cut])
    assert len(rows) == len(cut.compactions) > 0
    lost = {a.question_id for a in full.answers if a.correct} - {
        a.question_id for a in cut.answers if a.correct
    }
    assert lost and any(r["harmful"] for r in rows)
    for row in rows:
        dropped = "\n".join(d["text"] for d in row["dropped"])
        tasks = {t.split("/", 1)[1] for t in lost}
        values = {n for t in tasks for s in gold_steps(loader.tasks("mock")[t]) for n in s.needs}
        if row["harmful"]:
            assert any(v in dropped for v in values)
        assert row["track"] == "tau2" and row["strategy"].startswith("window")
    (tmp_path / "manifest.json").write_text(json.dumps({"splits": {}}))
    manifest = add_split(tmp_path, "tau2", rows)
    assert manifest["splits"]["tau2"]["rows"] == len(rows)
