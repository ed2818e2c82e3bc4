"""A child of a worker serves episodes in turn (``next`` on its connection: no fork, no
copy-on-write of the worker's pages each), scoring as in process. In a worker that imported a
plugin, which could keep a note from one episode for the next (``tests/run/reuse_plugins.py``
counts them in its globals), a child serves another episode only when it plays a scenario the
child has not played (another seed of the track, and another stream), on both ends; an episode
that names none (a check of the specs) is its process's last. ``tests/run/test_replay_redteam.py``
attacks the rule."""

from __future__ import annotations

import re

import pytest

from memgym.memory import make_memory
from memgym.reasoners import make_reasoner
from memgym.run.episode import evaluate
from memgym.run.remote import RemoteSide, WorkerProcess, evaluate_remote, shared_worker
from memgym.run.replays import REPEAT
from memgym.run.sandbox import _bwrap
from memgym.run.wire import PROTOCOL
from memgym.run.worker import ONE_EPISODE
from memgym.tracks import get_track
from memgym.types import Scenario

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


def started(scenario: Scenario, memory: str = "tally") -> int:
    """How many episodes the process that played ``scenario`` with ``memory`` had started."""
    result = evaluate_remote(scenario, memory, "scripted", plugins=(PLUGIN,))
    assert result.status == "ok", result.reason
    return int(result.memory.rsplit("=", 1)[1])


def test_a_plugin_workers_child_plays_each_scenario_once() -> None:
    track = get_track("entities")
    zero, one = track.generate(0, "lite"), track.generate(1, "lite")
    worker = fresh((PLUGIN,), ("tally", "scripted"))
    assert [started(zero) for _ in range(3)] == [1, 1, 1]  # a fresh process each time
    assert worker.reused == 0 and len(worker._idle) == 3
    assert started(one) == 2  # another seed: the latest waiting child serves it
    assert started(zero) == 1  # every waiting child has played seed 0
    assert started(track.generate(0, "standard")) == 1  # the seed under another tier too
    assert started(track.generate(2, "lite")) == 2  # the latest child had played seed 0 only
    assert worker.reused == 2
    # in one process the plugin's count goes on (so the test can fail)
    from tests.run.reuse_plugins import STARTED

    for _ in range(2):
        evaluate(zero, make_memory("tally", track), make_reasoner("scripted", track))
    assert STARTED[0] >= 2


def test_the_same_stream_under_another_seed_is_a_repeat() -> None:
    one = get_track("entities").generate(1, "lite")
    fresh((PLUGIN,), ("tally", "scripted"))
    assert started(one) == 1
    assert started(one.model_copy(update={"seed": 10**6})) == 1  # as a generator ignoring it
    assert started(get_track("entities").generate(2, "lite")) == 2


def test_a_check_without_a_scenario_is_its_childs_last_episode() -> None:
    worker = fresh((PLUGIN,), ("tally", "scripted"))
    with RemoteSide(worker, "entities", "tally", "scripted") as side:
        side.reset("a brief", {})
        side.end()
    assert not worker.idle()


@pytest.mark.skipif(_bwrap() is None, reason="needs bubblewrap (the sandbox)")
def test_a_child_whose_scratch_cannot_be_emptied_ends() -> None:
    track = get_track("entities")
    fresh((PLUGIN,), ("squat", "scripted"))
    assert started(track.generate(0, "lite"), "squat") == 1
    assert started(track.generate(1, "lite"), "squat") == 1  # its mount stayed: a new child
    fresh((PLUGIN,), ("tally", "scripted"))
    assert started(track.generate(0, "lite")) == 1
    assert started(track.generate(1, "lite")) == 2  # the control: tally's child serves both


def start(keys: list[str] | None) -> dict[str, object]:
    request = {"op": "start", "protocol": PROTOCOL, "track": "entities", "memory": "tally",
               "reasoner": "scripted"}  # fmt: skip
    return request if keys is None else {**request, "keys": keys}


def test_asked_anyway_a_plugin_workers_child_refuses_a_scenario_it_played() -> None:
    worker = fresh((PLUGIN,), ("tally", "scripted"))
    episode = worker.connect()
    for keys in (["a", "b"], ["c"]):
        episode.call(start(keys))
        episode.call({"op": "reset", "brief": "b", "params": {}})
        episode.call({"op": "next"})
    with pytest.raises(ValueError, match=re.escape(REPEAT)):
        episode.call(start(["d", "a"]))
    with pytest.raises(ValueError, match=re.escape(ONE_EPISODE)):
        episode.call({"op": "next"})  # it serves no further episode
    assert episode._in.readline() == ""  # and it ended
    episode.close()


def test_asked_anyway_a_plugin_workers_child_ends_after_an_episode_without_keys() -> None:
    worker = fresh((PLUGIN,), ("tally", "scripted"))
    episode = worker.connect()
    episode.call(start(None))
    episode.call({"op": "reset", "brief": "b", "params": {}})
    with pytest.raises(ValueError, match=re.escape(ONE_EPISODE)):
        episode.call({"op": "next"})
    assert episode._in.readline() == ""  # and it ended
    episode.close()
