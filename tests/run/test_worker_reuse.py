"""A child of a worker of memgym's own code serves episodes in turn (``next`` on its
connection: no fork, no copy-on-write of the worker's pages each), scoring as in process; a
worker that imported a plugin never lets a child serve a second episode, on either end (a plugin
could keep a note from one episode for the next: ``tests/run/reuse_plugins.py`` counts them)."""

from __future__ import annotations

from memgym.memory import make_memory
from memgym.reasoners import make_reasoner
from memgym.run.episode import evaluate
from memgym.run.remote import RemoteSide, WorkerProcess, evaluate_remote, shared_worker
from memgym.run.wire import PROTOCOL
from memgym.run.worker import ONE_EPISODE
from memgym.tracks import get_track

PLUGIN = "tests.run.reuse_plugins"


def fresh(plugins: tuple[str, ...], specs: tuple[str, str]) -> WorkerProcess:
    """This process's worker for ``plugins`` and ``specs``, started afresh."""
    shared_worker(plugins, specs).close()
    return shared_worker(plugins, specs)


def test_a_child_of_memgyms_code_serves_episodes_in_turn_and_scores_as_in_process() -> None:
    track = get_track("entities")
    worker = fresh((), ("window:max_tokens=600", "scripted"))
    for seed in (0, 1, 0):
        scenario = track.generate(seed, "lite")
        here = evaluate(
            scenario, make_memory("window:max_tokens=600", track), make_reasoner("scripted", track)
        )
        there = evaluate_remote(scenario, "window:max_tokens=600", "scripted")
        assert [a.answer for a in there.answers] == [a.answer for a in here.answers]
        assert (there.composite, there.tokens_stored) == (here.composite, here.tokens_stored)
        assert worker.idle()  # its child waits for the next episode
    assert worker.reused == 2
    waiting = worker._idle[0]
    with RemoteSide(worker, "entities", "none", "scripted") as side:
        side.reset("a brief", {})
        side.end()
    assert side.episode is waiting and worker._idle == [waiting]  # the same connection again
    assert worker.reused == 3


def test_an_episode_that_did_not_end_is_not_served_again() -> None:
    worker = fresh((), ("none", "scripted"))
    with RemoteSide(worker, "entities", "none", "scripted"):
        pass  # no finish: its child is told to close
    assert not worker.idle()


def test_a_plugin_workers_child_serves_one_episode() -> None:
    scenario = get_track("entities").generate(0, "lite")
    worker = fresh((PLUGIN,), ("tally", "scripted"))
    for _ in range(3):
        result = evaluate_remote(scenario, "tally", "scripted", plugins=(PLUGIN,))
        assert result.memory == "tally:started=1"  # a fresh process each episode
    assert worker.reused == 0 and not worker.idle()
    # in one process the plugin's count goes on (so the test can fail)
    track = get_track("entities")
    from tests.run.reuse_plugins import STARTED

    for _ in range(2):
        evaluate(scenario, make_memory("tally", track), make_reasoner("scripted", track))
    assert STARTED[0] >= 2


def test_asked_anyway_a_plugin_workers_child_refuses_a_next_episode() -> None:
    worker = fresh((PLUGIN,), ("tally", "scripted"))
    episode = worker.connect()
    start = {"op": "start", "protocol": PROTOCOL, "track": "entities", "memory": "tally",
             "reasoner": "scripted"}  # fmt: skip
    episode.call(start)
    episode.call({"op": "reset", "brief": "b", "params": {}})
    try:
        episode.call({"op": "next"})
        raise AssertionError("a plugin worker's child served a next episode")
    except ValueError as exc:
        assert ONE_EPISODE in str(exc)
    assert episode._in.readline() == ""  # and it ended
    episode.close()
