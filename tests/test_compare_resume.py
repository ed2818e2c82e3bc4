"""``memgym compare --resume``: a comparison stopped part way (Ctrl-C, a kill, an endpoint that
failed) continues from its finished seeds, and its table equals one that ran without stopping."""

from __future__ import annotations

import json
import sqlite3
import time

import pytest

from memgym.cli import main
from memgym.run.results import CLOSED_BOOK, ResultsStore
from memgym.serve import running
from tests.cli_process import kill_once_stored, start, stored

ARGS = ["compare", "--track", "entities", "--tier", "lite", "--seeds", "3", "--resamples", "50"]
ARGS += ["--memories", "window:max_tokens=2000", "--json"]
PER_SEED = 4  # none, oracle, full and the window


def compare(capsys, *args: str) -> tuple[int, dict, str]:
    """``memgym compare ARGS... ARGS`` in this process: exit code, its JSON, its stderr."""
    code = main([*ARGS, *args])
    out, err = capsys.readouterr()
    return code, json.loads(out) if out.strip() else {}, err


def stored_state(path) -> dict:
    """Every stored episode's (seed, memory, status, accuracy), in insertion order, and the
    closed-book probe's usage (once per seed: a seed that ran again has it once)."""
    with ResultsStore.open_read(path) as store:
        episodes = [(r.seed, r.memory, r.status, r.accuracy) for r in store.episodes()]
        return {"episodes": episodes, "usage": store.run_usage(1).get(CLOSED_BOOK, {})}


def timeless(data: dict) -> dict:
    """``data`` without the calls' latency (the one figure two runs do not share)."""
    return {
        k: {m: x for m, x in v.items() if m != "latency_s"} if "usage" in k else v
        for k, v in data.items()
    }


@pytest.fixture(scope="module")
def server():
    with running() as served:
        yield served


def test_a_stopped_comparison_resumes_to_the_unbroken_table(tmp_path, capsys, monkeypatch, server):
    reasoner = ["--reasoner", f"llm:base_url={server.base_url}"]
    whole = tmp_path / "whole.sqlite"
    before = server.stats["requests"]
    code, unbroken, _ = compare(capsys, *reasoner, "--results", str(whole))
    assert code == 0 and unbroken["closed_book_usage"]["calls"] > 0
    whole_requests = server.stats["requests"] - before

    path = tmp_path / "stopped.sqlite"
    add_episode = ResultsStore.add_episode
    calls = []

    def stop_at_the_sixth(self, run_id, result, key=None):  # seed 0 whole, seed 1 half stored
        calls.append(result)
        if len(calls) > PER_SEED + 2:
            raise KeyboardInterrupt
        add_episode(self, run_id, result, key)

    monkeypatch.setattr(ResultsStore, "add_episode", stop_at_the_sixth)
    assert compare(capsys, *reasoner, "--results", str(path))[0] == 130
    monkeypatch.setattr(ResultsStore, "add_episode", add_episode)
    stopped = stored_state(path)
    assert [seed for seed, *_ in stopped["episodes"]] == [0] * PER_SEED + [1, 1]
    assert stopped["usage"]["calls"] < unbroken["closed_book_usage"]["calls"]  # seed 0's only

    requests = quiet(server)  # the stopped run's abandoned worker thread may still be asking
    code, resumed, err = compare(capsys, *reasoner, "--results", str(path), "--resume")
    assert code == 0 and "resuming run 1: 1 seed of 3 finished before" in err
    assert timeless(resumed) == timeless(unbroken)  # every row, interval, leaked question, call
    assert timeless(stored_state(path)) == timeless(stored_state(whole))  # each episode once
    served = server.stats["requests"] - requests
    assert served == pytest.approx(whole_requests * 2 / 3, rel=0.2)  # seed 0 was not run again


def quiet(server) -> int:
    """The server's request count once it has not changed for half a second (30 s at most)."""
    deadline = time.monotonic() + 30
    last = -1
    while server.stats["requests"] != last and time.monotonic() < deadline:
        last = server.stats["requests"]
        time.sleep(0.5)
    return last


def test_a_seed_with_a_failed_episode_runs_again(tmp_path, capsys):
    path = tmp_path / "r.sqlite"
    code, unbroken, _ = compare(capsys, "--results", str(path))
    assert code == 0
    db = sqlite3.connect(path)
    with db:  # the endpoint failed on seed 2's window episode
        db.execute("UPDATE episodes SET status = 'infra_error' WHERE seed = 2 AND memory LIKE 'w%'")
    db.close()
    code, resumed, _ = compare(capsys, "--results", str(path), "--resume")
    assert code == 0 and resumed == unbroken
    episodes = stored_state(path)["episodes"]
    assert len(episodes) == 3 * PER_SEED and {status for _, _, status, _ in episodes} == {"ok"}
    assert [seed for seed, *_ in episodes][-PER_SEED:] == [2] * PER_SEED  # seed 2 stored anew


def test_resume_needs_the_same_arguments(tmp_path, capsys):
    path = tmp_path / "r.sqlite"
    assert compare(capsys, "--results", str(path))[0] == 0
    assert main([*ARGS, "--results", str(path), "--run", "1"]) == 2
    assert "--run needs --resume" in capsys.readouterr().err
    assert main([*ARGS, "--seeds", "2", "--results", str(path), "--resume", "--run", "1"]) == 2
    assert "run 1 was started with other arguments" in capsys.readouterr().err
    code, _, err = compare(capsys, "--seeds", "2", "--results", str(path), "--resume")
    assert code == 0 and "no run in" in err  # a new run, told so
    with ResultsStore.open_read(path) as store:
        assert [run["id"] for run in store.runs()] == [1, 2]


def test_a_killed_compare_resumes(tmp_path):
    """SIGKILL (no handler runs) part way through a real ``memgym compare``: the rerun with
    ``--resume`` ends with the unbroken run's table and each episode stored once."""
    args = ["compare", "--track", "dialogue", "--tier", "hard", "--seeds", "4"]
    args += ["--memories", "rag-bm25:k=5", "--resamples", "50", "--json"]
    path = tmp_path / "k.sqlite"
    child = start(*args, "--results", str(path))
    kill_once_stored(child, path, PER_SEED + 1, 120)  # the first episode of seed 1
    killed_at = stored(path)
    resumed = main_json([*args, "--results", str(path), "--resume"])
    unbroken = main_json([*args, "--results", str(tmp_path / "whole.sqlite")])
    assert resumed == unbroken
    assert stored(path) == 4 * PER_SEED >= killed_at


def main_json(args: list[str]) -> dict:
    from tests.cli_process import memgym

    done = memgym(*args, timeout=300)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_a_comparison_an_older_memgym_made_is_not_resumed(tmp_path, capsys):
    """Older comparisons stored no seed records: resuming one would find no whole seed and run
    everything again over its episodes, so --resume starts a new run beside it."""
    path = tmp_path / "r.sqlite"
    assert compare(capsys, "--results", str(path))[0] == 0
    db = sqlite3.connect(path)
    with db:  # what an older memgym left: its config without seed_records, no seed records
        (text,) = db.execute("SELECT config FROM runs WHERE id = 1").fetchone()
        config = json.loads(text)
        del config["seed_records"]
        db.execute("UPDATE runs SET config = ? WHERE id = 1", (json.dumps(config, sort_keys=True),))
        db.execute("DELETE FROM compare_seeds")
    db.close()
    before = stored_state(path)
    code, _, err = compare(capsys, "--results", str(path), "--resume")
    assert code == 0 and "no run in" in err
    with ResultsStore.open_read(path) as store:
        assert [run["id"] for run in store.runs()] == [1, 2]
        kept = [(r.seed, r.memory, r.status, r.accuracy) for r in store.episodes(1)]
    assert kept == before["episodes"]
