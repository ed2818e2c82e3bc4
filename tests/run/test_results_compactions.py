import sqlite3

from memgym.memory import make_memory
from memgym.reasoners import make_reasoner
from memgym.run.episode import evaluate
from memgym.run.results import ResultsStore


def test_compactions_are_stored_with_the_episode_and_read_back(tmp_path, track):
    scenario = track.generate(0, "lite")
    result = evaluate(
        scenario, make_memory("window:max_tokens=1000", track), make_reasoner("scripted", track)
    )
    assert result.compactions and all(c.episode == scenario.hash for c in result.compactions)
    path = tmp_path / "r.sqlite"
    with ResultsStore(path) as store:
        run = store.start_run({"command": "test"})
        store.add_episode(run, result)
        store.add_episode(run, result)  # a repeat adds no second set of records
    with ResultsStore(path) as store:
        (back,) = store.episodes(run)
        assert back.model_dump() == result.model_dump()
        (light,) = store.episodes(run, compactions=False)
        assert light.compactions == [] and light.answers == result.answers
    with sqlite3.connect(path) as db:
        rows = db.execute("SELECT step, strategy, facts FROM compactions ORDER BY rowid").fetchall()
    assert [r[0] for r in rows] == [c.step for c in result.compactions]
    assert {r[1] for r in rows} == {"window:max_tokens=1000"}
