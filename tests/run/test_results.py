import sqlite3

import pytest

from memgym.memory import make_memory
from memgym.reasoners import make_reasoner
from memgym.run.episode import evaluate
from memgym.run.results import ResultsStore


def test_round_trip_and_idempotent_inserts(tmp_path, track):
    scenario = track.generate(0, "lite")
    result = evaluate(
        scenario, make_memory("agentic:policy=strategic", track), make_reasoner("scripted", track)
    )
    path = tmp_path / "r.sqlite"
    with ResultsStore(path) as store:
        run = store.start_run({"command": "test"})
        store.add_episode(run, result)
        store.add_episode(run, result)  # a repeat is ignored
    with ResultsStore(path) as store:
        episodes = list(store.episodes(run))
        assert [e.model_dump() for e in episodes] == [result.model_dump()]
        assert store.runs()[0]["episodes"] == 1
        assert len(store.done_keys(run)) == 1
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT COUNT(*) FROM answers").fetchone()[0] == len(result.answers)


def test_a_file_that_is_not_a_results_file_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.sqlite"
    bad.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(ValueError, match="not a memgym results file"):
        ResultsStore(bad)
