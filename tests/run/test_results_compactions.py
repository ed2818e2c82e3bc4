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


def _window_episode(track):
    scenario = track.generate(0, "lite")
    memory = make_memory("window:max_tokens=1000", track)
    return evaluate(scenario, memory, make_reasoner("scripted", track))


def test_an_episode_s_records_are_one_pack_far_smaller_than_a_blob_each(tmp_path, track):
    """The records of one episode share most texts: stored once each and compressed together
    they take a fraction of a compressed JSON blob per record (the format before packs)."""
    import zlib

    result = _window_episode(track)
    path = tmp_path / "r.sqlite"
    with ResultsStore(path) as store:
        store.add_episode(store.start_run({"command": "test"}), result)
    with sqlite3.connect(path) as db:
        ((packed, packs),) = db.execute("SELECT sum(length(pack)), count(*) FROM compaction_packs")
        ((inline,),) = db.execute("SELECT sum(length(record)) FROM compactions")
    one_each = sum(len(zlib.compress(c.model_dump_json().encode())) for c in result.compactions)
    assert packs == 1 and inline == 0
    assert packed * 5 < one_each


def test_a_file_written_before_packs_reads_its_records(tmp_path, track):
    """An older file kept each record whole in its ``compactions`` row and had no packs table:
    read-only and read-write, its records come back as they were."""
    import zlib

    result = _window_episode(track)
    path = tmp_path / "old.sqlite"
    with ResultsStore(path) as store:
        run = store.start_run({"command": "test"})
        store.add_episode(run, result.model_copy(update={"compactions": []}))
    with sqlite3.connect(path) as db:  # the rows the store wrote before packs, and no packs
        (episode_id,) = db.execute("SELECT id FROM episodes").fetchone()
        db.executemany(
            "INSERT INTO compactions VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(episode_id, c.step, c.strategy, "[]", c.tokens_before, c.tokens_after,
              zlib.compress(c.model_dump_json().encode())) for c in result.compactions],
        )  # fmt: skip
        db.execute("DROP TABLE compaction_packs")
    with ResultsStore.open_read(path) as store:
        (back,) = store.episodes(run)
    assert back.compactions == result.compactions
    with ResultsStore(path) as store:  # a writer adds the table; the old rows still read
        (back,) = store.episodes(run)
    assert back.compactions == result.compactions
