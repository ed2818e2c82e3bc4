"""The runner with scripted episodes: concurrent and process-pool runs equal a serial one, every
finished episode is stored under its key, and ``--resume`` runs only what is missing."""

import sqlite3

from memgym.cli import main
from memgym.errors import InfraError
from memgym.memory import make_memory
from memgym.reasoners import make_reasoner
from memgym.run import runner
from memgym.run.episode import evaluate
from memgym.run.results import ResultsStore
from memgym.run.runner import run_concurrent, run_processes
from memgym.run.work import stream

PAIRS = [("agentic:policy=perfect", "scripted"), ("agentic:policy=naive", "scripted")]


def rows(results):
    return [r.model_dump(mode="json") for r in results]


def test_concurrent_and_pooled_runs_equal_direct_evaluation(tmp_path, track):
    items = list(stream("entities", "lite", range(3), {"doc_style": "kv"}, PAIRS))
    expected = []
    for item in items:
        scenario = track.generate(item.seed, "lite", doc_style="kv")
        memory, reasoner = make_memory(item.memory, track), make_reasoner(item.reasoner, track)
        expected.append(evaluate(scenario, memory, reasoner))
    seen = []
    with ResultsStore(tmp_path / "r.sqlite") as store:
        threads = run_concurrent(items, store, store.start_run({}), 4, observe=seen.append)
        pooled_run = store.start_run({"pool": True})
        pooled = run_processes(items, store, pooled_run, 2)
        stored = dict(store.keyed_episodes(1))
        assert store.done_keys(pooled_run) == {i.key for i in items}
    assert rows(threads) == rows(pooled) == rows(expected)
    assert rows(stored[i.key] for i in items) == rows(expected)
    dones = [s.done for s in seen]  # one report per finished episode, plus timer ticks
    assert dones == sorted(dones) and set(range(1, len(items) + 1)) <= set(dones)
    assert seen[-1].total == len(items) and seen[-1].infra == 0


def episode_rows(path, run_id):
    with sqlite3.connect(path) as db:
        return db.execute(
            "SELECT key, status, composite, result FROM episodes WHERE run_id = ? ORDER BY key",
            (run_id,),
        ).fetchall()


def test_resume_runs_only_missing_and_infra_error_episodes(tmp_path, capsys):
    path = str(tmp_path / "r.sqlite")
    argv = ["run", "--tier", "lite", "--seeds", "4", "--policies", "perfect,naive"]
    assert main([*argv, "--results", path]) == 0
    full = episode_rows(path, 1)
    assert len(full) == 8
    with sqlite3.connect(path) as db:  # as if killed after 5 episodes, one of them infra_error
        gone = [k for k, *_ in full[::3]]
        for key in gone:
            (eid,) = db.execute("SELECT id FROM episodes WHERE key = ?", (key,)).fetchone()
            db.execute("DELETE FROM answers WHERE episode_id = ?", (eid,))
            db.execute("DELETE FROM episodes WHERE id = ?", (eid,))
        db.execute("UPDATE episodes SET status = 'infra_error' WHERE key = ?", (full[1][0],))
    capsys.readouterr()
    assert main([*argv, "--results", path, "--resume"]) == 0
    err = capsys.readouterr().err
    assert f"{len(gone) + 1} episodes run, {8 - len(gone) - 1} resumed" in " ".join(err.split())
    assert episode_rows(path, 1) == full  # each episode once, the same scores
    with ResultsStore(path) as store:
        assert len(store.runs()) == 1
        assert all(r.answers for r in store.episodes(1))
    assert main([*argv, "--results", path]) == 0  # without --resume: a new run
    assert episode_rows(path, 2) == full


def test_a_run_without_tier_resumes_with_the_default_tiers_name(tmp_path, capsys):
    """``--tier lite`` and no ``--tier`` on entities are one run (review: the resume started a
    new run and stored every episode again)."""
    path = str(tmp_path / "r.sqlite")
    argv = ["run", "--seeds", "2", "--policies", "strategic", "--results", path]
    assert main(argv) == 0
    capsys.readouterr()
    assert main([*argv, "--tier", "lite", "--resume"]) == 0
    assert "0 episodes run, 2 resumed" in " ".join(capsys.readouterr().err.split())
    with ResultsStore(path) as store:
        assert len(store.runs()) == 1


def test_shards_of_a_run_add_up_to_the_whole_run(tmp_path):
    argv = ["run", "--tier", "lite", "--seeds", "2", "--policies", "perfect,naive,random"]
    whole = str(tmp_path / "whole.sqlite")
    assert main([*argv, "--results", whole]) == 0
    parts = []
    for i in (1, 2):
        path = str(tmp_path / f"shard{i}.sqlite")
        assert main([*argv, "--results", path, "--shard", f"{i}/2"]) == 0
        parts += episode_rows(path, 1)
    assert sorted(parts) == episode_rows(whole, 1)


def test_bad_runner_flags_are_one_line_errors(tmp_path, capsys):
    path = str(tmp_path / "r.sqlite")
    for flags, message in [
        (["--shard", "3/2"], "bad --shard '3/2'"),
        (["--concurrency", "0"], "--concurrency must be at least 1"),
        (["--workers", "2", "--concurrency", "2"], "not both"),
        (["--model", "m", "--reasoner", "scripted"], "not both"),
        (["--base-url", "http://x/v1"], "--base-url and --api-key-env need --model"),
        (["--cache", "c.sqlite"], "--cache needs a model"),
        (["--max-tokens", "0", "--model", "m"], "--max-tokens must be at least 1"),
        (["--model", "m", "--context-window", "64"], "leaves no room for a prompt"),
        (["--run", "1"], "--run needs --resume"),
        (["--model", "m", "--policies", "naive"], "not both"),
    ]:
        assert main(["run", "--results", path, *flags]) == 2, flags
        err = capsys.readouterr().err
        assert message in err and err.count("\n") == 1, (flags, err)


def test_an_infra_error_escaping_the_episode_is_an_infra_error_row(tmp_path, monkeypatch):
    def failing(spec, track):
        memory = make_memory(spec, track)

        def observe(event):
            raise InfraError("write path: HTTP 503")

        memory.observe = observe
        return memory

    monkeypatch.setattr(runner, "make_memory", failing)
    items = list(stream("entities", "lite", [0], {}, PAIRS[:1]))
    with ResultsStore(tmp_path / "r.sqlite") as store:
        run_id = store.start_run({})
        (result,) = run_concurrent(items, store, run_id)
        assert [r.status for r in store.episodes(run_id)] == ["infra_error"]
        assert store.done_keys(run_id) == set()  # --resume would run it again
    assert result.status == "infra_error" and result.answers == []
    assert result.memory == PAIRS[0][0] and result.scenario_hash
