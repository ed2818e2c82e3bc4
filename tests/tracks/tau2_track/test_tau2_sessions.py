"""τ²-bench sessions through memgym: the gold plan solves every task it is given and doing
nothing solves only the tasks that need nothing done, both by τ²-bench's own evaluator; a
callback is lost with the memory that dropped its first call; ``memgym run`` and ``compare``."""

from __future__ import annotations

from pathlib import Path

import pytest

from memgym.tracks.tau2 import loader

if not loader.available():
    pytest.skip(loader.MISSING, allow_module_level=True)

import re
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from memgym.cli import main
from memgym.commands.compare import run_comparison
from memgym.interactive.agents import Agent
from memgym.interactive.episode import evaluate_interactive
from memgym.interactive.loop import run_session
from memgym.memory.history.history_memory import HistoryMemory
from memgym.run.results import ResultsStore
from memgym.tracks import get_track
from memgym.tracks.session import AgentTurn, ChatMessage, ToolCall
from memgym.tracks.tau2.customer import STOP
from memgym.tracks.tau2.plan import changes_world, gold_steps
from memgym.tracks.tau2.session import ACTED_EARLY

TRACK = get_track("tau2")


def _solved(domain: str, seed: int, agent: str, memory: str = "full", **params: object) -> dict:
    scenario = TRACK.generate(seed, None, domain=domain, **params)
    result = evaluate_interactive(TRACK, scenario, memory, agent)  # type: ignore[arg-type]
    return {a.question_id: (a.correct, a.answer) for a in result.answers}


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
    gold = _solved(domain, 0, "gold", customers=customers)
    noop = _solved(domain, 0, "noop", customers=customers)
    assert len(gold) == min(customers, len(loader.tasks(domain)))
    assert all(ok for ok, _ in gold.values()), gold
    for task_id, (ok, answer) in noop.items():
        if domain in ("airline", "retail", "telecom"):
            assert ok == _needs_nothing(task_id), (task_id, answer)
    if domain == "telecom":
        assert not any(ok for ok, _ in noop.values())  # every small task needs the phone fixed


def test_an_evaluator_failure_scores_zero_and_says_why() -> None:
    noop = _solved("mock", 0, "noop", customers=8)
    failed = [a for ok, a in noop.values() if "evaluator error" in a]
    assert failed and all(a.startswith("reward 0") for a in failed)  # "task not found" in tau2


def test_a_callback_needs_its_first_call_remembered() -> None:
    params = {"customers": 8, "callbacks": 3, "gap": 2}
    scenario = TRACK.generate(0, None, domain="mock", **params)
    assert TRACK.generate(0, None, domain="mock", **params).hash == scenario.hash
    session = TRACK.open(scenario)
    try:
        callbacks = [c for c in session.calls if c.part == "callback"]
        assert callbacks and not TRACK.check(scenario)
        opening = {c.task: c for c in callbacks}
    finally:
        session.close()
    full = _solved("mock", 0, "context", **params)
    forgetful = _solved("mock", 0, "context", "none", **params)
    ids = [e.text for e in scenario.events]
    for index, task_id in enumerate(ids):
        needs = any(s.needs for s in gold_steps(loader.tasks("mock")[task_id.split("/")[1]]))
        if index in opening and needs and full[task_id][0]:
            assert not forgetful[task_id][0], task_id  # its details were only in the first call
    assert sum(ok for ok, _ in forgetful.values()) < sum(ok for ok, _ in full.values())


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
    import json

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
