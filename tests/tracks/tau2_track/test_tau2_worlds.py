"""τ²-bench worlds built from the cached databases: each a deep copy, equal to the world
τ²-bench builds from its own data files, changed by one task and never by another."""

from __future__ import annotations

import json
import re
import sys

import pytest

from memgym.tracks.tau2 import loader

if not loader.available():
    pytest.skip(loader.MISSING, allow_module_level=True)

from memgym.tracks import get_track
from memgym.tracks.session import ToolCall


def tau2_own(domain: str):  # type: ignore[no-untyped-def]
    """The world τ²-bench itself builds (its constructor reading its data files)."""
    from tau2.registry import registry

    return registry.get_env_constructor(domain)()


def hashes(env) -> tuple:  # type: ignore[no-untyped-def]
    return env.get_db_hash(), env.get_user_db_hash()


def call(env, name: str, requestor: str = "assistant", **arguments):  # type: ignore[no-untyped-def]
    from tau2.data_model.message import ToolCall as Tau2Call

    return env.get_response(Tau2Call(id="t", name=name, arguments=arguments, requestor=requestor))


@pytest.mark.parametrize("domain", ["mock", "telecom"])
def test_a_changed_world_leaks_into_no_other(domain: str) -> None:
    first = loader.environment(domain)
    assert hashes(first) == hashes(tau2_own(domain))
    if domain == "mock":
        result = call(first, "create_task", user_id="user_1", title="leak?")
    else:  # the customer's phone: the user database
        result = call(first, "toggle_airplane_mode", requestor="user")
    assert not result.error, result.content
    assert hashes(first) != hashes(tau2_own(domain))
    second = loader.environment(domain)
    assert hashes(second) == hashes(tau2_own(domain))
    assert second.tools.db is not first.tools.db
    if domain == "telecom":
        assert second.user_tools.db is not first.user_tools.db


def test_the_evaluator_builds_the_same_worlds_by_the_registered_name() -> None:
    from tau2.registry import registry

    name = loader.evaluated("telecom")
    assert name == loader.evaluated("telecom") and name in registry.get_domains()
    built = registry.get_env_constructor(name)(solo_mode=False)
    assert hashes(built) == hashes(tau2_own("telecom"))
    assert built.get_policy() == tau2_own("telecom").get_policy()


def test_a_task_that_writes_leaves_the_next_session_its_own_world() -> None:
    track = get_track("tau2")
    scenario = track.generate(0, None, domain="mock", customers=1, callbacks=0)
    session = track.open(scenario)
    try:
        session.start()
        state = session.states[0]
        user = json.loads(session.call(ToolCall("c1", "get_users", "{}")))[0]["user_id"]
        written = session.call(
            ToolCall("c2", "create_task", json.dumps({"user_id": user, "title": "leak?"}))
        )
        assert "leak?" in written
        changed = hashes(state.env)
    finally:
        session.close()
    again = track.open(scenario)
    try:
        again.start()
        fresh = again.states[0].env
        own = tau2_own("mock")
        initial = again.states[0].task.initial_state
        if initial is not None:
            own.set_state(initial.initialization_data, initial.initialization_actions, [])
        assert hashes(fresh) == hashes(own) != changed
        assert "leak?" not in json.dumps(fresh.tools.db.model_dump(), default=str)
    finally:
        again.close()
    assert "tau2" in sys.modules  # imported once, in this process, and reused


def test_the_tau2_bench_runs_small(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.bench_scripts import BENCH, load_bench_script

    monkeypatch.syspath_prepend(str(BENCH))
    bench = load_bench_script("bench_tau2")
    assert bench.main(["--domains", "mock", "--seeds", "1", "--repeats", "1"]) == 0
    out = capsys.readouterr().out
    figures = re.search(r"memgym ([\d.]+) ms, τ²-bench alone ([\d.]+) ms: ([\d.]+)×", out)
    assert figures is not None, out
    mine, alone, ratio = map(float, figures.groups())
    # the printed times are rounded to 0.1 ms: the ratio agrees with them within that rounding
    rounding = ratio * (0.05 / mine + 0.05 / alone) + 0.01
    assert mine > 0 and alone > 0 and abs(ratio - mine / alone) <= rounding
    assert "import of τ²-bench" in out and "target met on every domain" in out
    assert "tool results and rewards equal" in out  # τ²-bench's runner did the same work


def test_tau2_runner_replays_the_audits_task_runs_and_notices_a_different_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from tests.bench_scripts import BENCH, load_bench_script

    monkeypatch.syspath_prepend(str(BENCH))
    bench = load_bench_script("bench_tau2")
    alone = load_bench_script("tau2_alone")
    _cpu, runs = bench.memgym_audit("mock", 1)
    called = [r for r in runs if any(m.role == "tool" for m in r.messages)]
    assert called and len(called) < len(runs)
    for run in (called[0], runs[0]):
        reward, trajectory = alone.run_alone(run.domain, run.task, run.messages, run.reason)
        assert reward == run.reward and alone.same_work(run.messages, trajectory)
    run = called[0]
    reward, trajectory = alone.run_alone(run.domain, run.task, run.messages, run.reason)
    tool = next(i for i, m in enumerate(run.messages) if m.role == "tool")
    tampered = list(run.messages)
    tampered[tool] = tampered[tool].model_copy(update={"content": "another result"})
    assert not alone.same_work(tampered, trajectory)
    said = next(i for i, m in enumerate(run.messages) if m.role == "assistant" and m.content)
    tampered = list(run.messages)
    tampered[said] = tampered[said].model_copy(update={"content": "something else"})
    assert not alone.same_work(tampered, trajectory)
