"""The worker's reader cache is warmed with a scenario's public event texts before its episodes
fork (``WorkerProcess.warm``; a child already waiting for an episode forks nothing and is not
warmed), once per scenario (before its first episode when the scripted
reasoner reads it, else before its second), and only in a worker of memgym's own code: a
worker that imported a plugin is never warmed (the cache holds the whole stream at once, which a
plugin could read ahead of its stream), on either end. Warming changes no score."""

from __future__ import annotations

from memgym.memory import make_memory
from memgym.reasoners import make_reasoner
from memgym.run.episode import evaluate
from memgym.run.remote import WorkerProcess, evaluate_remote, shared_worker
from memgym.run.wire import receive, send
from memgym.tracks import get_track

PLUGIN = "tests.run.redteam_sandbox_plugins"
MEMORY = "window:max_tokens=800"


def fresh_worker(specs: tuple[str, ...]) -> WorkerProcess:
    """This process's worker for ``specs``, started afresh (no child waiting from an earlier
    test)."""
    shared_worker((), specs).close()
    return shared_worker((), specs)


def test_a_worker_of_memgyms_code_is_warmed_before_a_fork_and_scores_the_same() -> None:
    """The first scenario's episode forks a child, warmed first; the second is served by that
    child (``WorkerProcess.reuse``), which forks nothing and so warms nothing."""
    track = get_track("entities")
    first, second = track.generate(0, "lite"), track.generate(1, "lite")
    worker = fresh_worker((MEMORY, "scripted"))
    for scenario in (first, second):
        here = evaluate(scenario, make_memory(MEMORY, track), make_reasoner("scripted", track))
        there = evaluate_remote(scenario, MEMORY, "scripted")
        assert worker.warmed == first.hash  # the scripted reasoner reads: before the first
        assert [a.answer for a in there.answers] == [a.answer for a in here.answers]
        assert there.composite == here.composite
    assert worker.reused == 1


def test_a_scenario_whose_reasoner_may_read_nothing_is_warmed_before_its_second_episode() -> None:
    """Without the scripted reasoner the first episode of a scenario starts cold (as the first
    reader in process does), and the cache is filled before the next."""
    scenario = get_track("entities").generate(2, "lite")
    worker = fresh_worker((MEMORY, "scripted"))
    for episode in range(3):
        worker.warm(scenario, first=False)
        assert (worker.warmed == scenario.hash) == (episode > 0)


def test_a_plugin_worker_is_never_warmed() -> None:
    scenario = get_track("entities").generate(0, "lite")
    evaluate_remote(scenario, "full", "scripted", plugins=(PLUGIN,))
    worker = shared_worker((PLUGIN,), ("full", "scripted"))
    assert worker.plugins == (PLUGIN,) and worker.warmed == ""
    worker.warm(scenario)
    assert worker.warmed == ""
    # asked anyway, on its control pipe, the worker itself refuses
    assert worker.proc is not None and worker.proc.stdin and worker.proc.stdout
    request = {"op": "warm", "track": "entities", "key": scenario.hash, "texts": ["x"]}
    send(worker.proc.stdin, request)
    reply = receive(worker.proc.stdout)
    assert reply is not None and not reply["ok"]
    assert "a worker with plugins is never warmed" in reply["error"]


def test_an_unknown_control_request_is_refused() -> None:
    worker = shared_worker((), ("full", "scripted"))
    assert worker.proc is not None and worker.proc.stdin and worker.proc.stdout
    send(worker.proc.stdin, {"op": "dump"})
    reply = receive(worker.proc.stdout)
    assert reply is not None and not reply["ok"]
    assert "unknown control request 'dump'" in reply["error"]
