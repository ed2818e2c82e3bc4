"""The runner against ``memgym serve`` over real HTTP: injected 429s and 5xx are retried to the
clean run's scores and counted; a run killed with SIGKILL and resumed stores every episode exactly
once with the clean run's scores; persistent failures are ``infra_error`` episodes, re-run by
``--resume``."""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from memgym.cli import main
from memgym.llm.usage import add_usage
from memgym.run.results import ResultsStore
from memgym.serve import Faults, running

SEEDS = 10
MEMORY = "window:max_tokens=5000"  # every lite seed 0-9 answers some (1,500 answers none since #42)


def argv(server, path, *extra):
    reasoner = f"llm:base_url={server.base_url},backoff=0.001,max_retries=12"
    return [
        "run", "--tier", "lite", "--seeds", str(SEEDS), "--memory", MEMORY,
        "--reasoner", reasoner, "--results", str(path), *extra,
    ]  # fmt: skip


def by_seed(path, run_id=1):
    """seed -> the episode's scores and answers, and the run's usage totals."""
    with ResultsStore(path) as store:
        results = list(store.episodes(run_id))
    scores = {
        r.seed: (
            r.scenario_hash, r.status, r.composite, r.accuracy, r.axes, r.correct,
            [(a.question_id, a.answer, a.correct, a.status) for a in r.answers],
        )
        for r in results
    }  # fmt: skip
    return scores, add_usage(r.usage for r in results), results


@pytest.fixture(scope="module")
def clean(tmp_path_factory):
    path = tmp_path_factory.mktemp("clean") / "r.sqlite"
    with running() as server:
        assert main(argv(server, path)) == 0
        requests = server.stats["requests"]
    scores, usage, results = by_seed(path)
    assert sorted(scores) == list(range(SEEDS)) and requests == usage["calls"] > 0
    assert all(r.model == "memgym-scripted" and r.status == "ok" for r in results)
    assert sum(r.correct for r in results) > 0
    return scores


def test_injected_faults_are_retried_to_the_clean_scores_and_counted(tmp_path, clean, capsys):
    path = tmp_path / "r.sqlite"
    with running(faults=Faults(rate_5xx=0.2, rate_429=0.1, seed=7)) as server:
        assert main(argv(server, path, "--concurrency", "4")) == 0
        stats = dict(server.stats)
    scores, usage, _ = by_seed(path)
    assert scores == clean
    assert stats["http_503"] > 0 and stats["http_429"] > 0
    assert usage["retries"] == stats["http_503"] + stats["http_429"]
    assert usage["retries_server_error"] == stats["http_503"]
    assert usage["retries_rate_limited"] == stats["http_429"]
    assert usage["failed"] == 0 and usage["calls"] == stats["ok"]
    out = " ".join(capsys.readouterr().out.split())
    assert (
        f"{int(usage['calls'])} LLM calls (0 cached), {int(usage['retries'])} retries "
        f"({stats['http_429']} rate_limited, {stats['http_503']} server_error)"
    ) in out


def test_sigkill_midway_then_resume_stores_every_episode_once(tmp_path, clean):
    path = tmp_path / "r.sqlite"
    with running(faults=Faults(latency=0.03)) as server:
        args = argv(server, path, "--concurrency", "2")
        child = subprocess.Popen(
            [sys.executable, "-m", "memgym.cli", *args],
            cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 30
            while stored(path) < 2:
                assert child.poll() is None, child.stderr.read().decode()
                assert time.monotonic() < deadline, "no episode stored in 30 s"
                time.sleep(0.01)
        finally:
            child.send_signal(signal.SIGKILL)
            child.wait()
        assert child.returncode == -signal.SIGKILL
        before = stored(path)
        assert 2 <= before < SEEDS, "the run finished before it could be killed"
        server.faults.latency = 0.0
        assert main([*args, "--resume"]) == 0
    with sqlite3.connect(path) as db:
        keys = db.execute("SELECT key, COUNT(*) FROM episodes GROUP BY key").fetchall()
        assert db.execute("SELECT COUNT(*) FROM runs").fetchone() == (1,)
    assert len(keys) == SEEDS and {n for _, n in keys} == {1}
    assert by_seed(path)[0] == clean


def stored(path):
    if not os.path.exists(path):
        return 0
    with sqlite3.connect(path) as db:
        try:
            return db.execute("SELECT COUNT(*) FROM episodes").fetchone()[0]
        except sqlite3.OperationalError:  # the schema is not written yet
            return 0


def test_persistent_failures_are_infra_error_episodes_rerun_on_resume(tmp_path, clean, capsys):
    path = tmp_path / "r.sqlite"
    with running(faults=Faults(rate_5xx=1.0)) as server:
        args = [a.replace("max_retries=12", "max_retries=1") for a in argv(server, path)]
        args += ["--seeds", "2"]
        assert main(args) == 1  # the run is incomplete
        captured = capsys.readouterr()
        out = " ".join(captured.out.split())
        scores, usage, results = by_seed(path)
        assert [r.status for r in results] == ["infra_error"] * 2
        # each episode ran three times (--episode-retries 2), every attempt's calls counted
        assert usage["episode_retries"] == 2 * 2
        assert usage["failed"] == 3 * sum(len(r.answers) for r in results) > 0
        assert usage["retries"] == usage["failed"]  # one retry each, then given up
        assert "2 of 2 episodes ended infra_error" in out
        assert "run 1 is incomplete: 2 infra_error" in " ".join(captured.err.split())
        assert main(["results", str(path), "--run", "1"]) == 0
        listed = " ".join(capsys.readouterr().out.split())
        assert "2 of 2 episodes ended infra_error" in listed
        assert "run 1 is incomplete: 2 infra_error" in listed
        assert f"{int(usage['failed'])} failed" in listed
        server.faults.rate_5xx = 0.0
        assert main([*args, "--resume"]) == 0
    scores, _, results = by_seed(path)
    assert [r.status for r in results] == ["ok"] * 2
    assert scores == {seed: clean[seed] for seed in (0, 1)}


def test_model_and_base_url_build_the_llm_reasoner(tmp_path, clean, capsys, monkeypatch):
    path = tmp_path / "r.sqlite"
    monkeypatch.setenv("MEMGYM_TEST_KEY", "a key the scripted server ignores")
    with running() as server:
        args = ["run", "--tier", "lite", "--seeds", "1", "--memory", MEMORY, "--json"]
        args += ["--model", "memgym-scripted", "--base-url", server.base_url]
        assert main([*args, "--api-key-env", "MEMGYM_TEST_KEY", "--results", str(path)]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert (printed["complete"], printed["status"], printed["planned"]) == (True, "complete", 1)
    (row,) = printed["episodes"]
    assert row["model"] == "memgym-scripted" and row["usage"]["calls"] == len(row["answers"])
    assert row["reasoner"] == f"llm:model=memgym-scripted,base_url={server.base_url}"
    assert by_seed(path)[0][0][2:] == clean[0][2:]


def test_a_cached_rerun_from_the_cli_replays_every_call_without_http(tmp_path, clean, capsys):
    cache = str(tmp_path / "calls.sqlite")
    with running() as server:
        args = ["run", "--tier", "lite", "--seeds", str(SEEDS), "--memory", MEMORY]
        args += ["--model", "memgym-scripted", "--base-url", server.base_url, "--cache", cache]
        assert main([*args, "--results", str(tmp_path / "first.sqlite")]) == 0
        requests = server.stats["requests"]
        assert main([*args, "--results", str(tmp_path / "again.sqlite")]) == 0
        assert server.stats["requests"] == requests > 0  # the rerun sent nothing
    first, first_usage, _ = by_seed(tmp_path / "first.sqlite")
    again, again_usage, _ = by_seed(tmp_path / "again.sqlite")
    assert first == again == clean
    assert first_usage["cached"] == 0 and again_usage["cached"] == again_usage["calls"] == requests
    spent = int(first_usage["prompt_tokens"] + first_usage["completion_tokens"])
    assert again_usage["prompt_tokens"] == again_usage["completion_tokens"] == 0
    assert again_usage["cached_prompt_tokens"] == first_usage["prompt_tokens"]  # as first counted
    assert again_usage["cached_completion_tokens"] == first_usage["completion_tokens"]
    printed = " ".join(capsys.readouterr().out.split())
    assert f"{requests} LLM calls ({requests} cached of {spent} tokens)" in printed
