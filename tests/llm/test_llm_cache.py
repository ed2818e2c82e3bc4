"""The call cache: content-addressed keys, each entry committed at once."""

import sqlite3
import subprocess
import sys
import threading

import pytest

from memgym.cli import main
from memgym.llm.cache import CallCache, cache_key
from memgym.serve import running
from tests.cli_process import memgym

MESSAGES = [{"role": "user", "content": "What is 2+2?"}]


def test_key_is_canonical_and_covers_model_params_messages_and_tools():
    base = cache_key("m", MESSAGES, None, {"temperature": 0, "seed": 1})
    assert base == cache_key(
        "m", [dict(reversed(MESSAGES[0].items()))], [], {"seed": 1, "temperature": 0}
    )
    assert base != cache_key("m2", MESSAGES, None, {"temperature": 0, "seed": 1})
    assert base != cache_key("m", MESSAGES, None, {"temperature": 1, "seed": 1})
    assert base != cache_key("m", MESSAGES + MESSAGES, None, {"temperature": 0, "seed": 1})
    assert base != cache_key("m", MESSAGES, [{"type": "function"}], {"temperature": 0, "seed": 1})


def test_many_threads_opening_one_new_file_at_once_all_succeed(tmp_path):
    # Each worker thread of a run opens its own cache; two connections racing to set up a new
    # file get "database is locked" at once from SQLite (the CI failure this guards against).
    for trial in range(40):
        path = tmp_path / f"race{trial}.sqlite"
        errors: list[Exception] = []
        barrier = threading.Barrier(8)

        def open_and_write(worker: int, path=path, errors=errors, barrier=barrier) -> None:
            barrier.wait()
            try:
                cache = CallCache(path)
                cache.put(f"k{worker}", "m", {"worker": worker})
                cache.close()
            except Exception as err:  # noqa: BLE001 - collected and asserted below
                errors.append(err)

        threads = [threading.Thread(target=open_and_write, args=(w,)) for w in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        assert len(CallCache(path)) == 8


def test_put_get_and_first_put_wins(tmp_path):
    cache = CallCache(tmp_path / "calls.sqlite")
    assert cache.get("k") is None
    cache.put("k", "m", {"choices": [1]})
    cache.put("k", "m", {"choices": [2]})
    assert cache.get("k") == {"choices": [1]} and len(cache) == 1
    cache.close()


def test_an_entry_survives_a_crash(tmp_path):
    path = tmp_path / "calls.sqlite"
    script = (
        "import os; from memgym.llm.cache import CallCache; "
        f"c = CallCache({str(path)!r}); c.put('k', 'm', {{'ok': True}}); os._exit(9)"
    )
    done = subprocess.run([sys.executable, "-c", script], timeout=30, check=False)
    assert done.returncode == 9
    assert CallCache(path).get("k") == {"ok": True}


def test_a_file_that_cannot_be_a_cache_is_refused_naming_it(tmp_path):
    results = tmp_path / "r.sqlite"  # a results file: its own calls table, other columns
    assert main(["run", "--seeds", "1", "--results", str(results)]) == 0
    damaged = tmp_path / "damaged.sqlite"
    damaged.write_bytes(results.read_bytes()[:200])
    foreign = tmp_path / "foreign.sqlite"  # another program's database, with a calls table too
    with sqlite3.connect(foreign) as db:
        db.execute("CREATE TABLE calls(id INTEGER)")
        db.execute("CREATE TABLE notes(text TEXT)")
    db.close()
    text = tmp_path / "notes.txt"
    text.write_text("not a database at all\n" * 10)
    kept = {p: p.read_bytes() for p in (results, damaged, foreign, text)}
    for path, why in (
        (results, "it is another database"),
        (foreign, r"it is another database \(it holds calls, notes\)"),
        (damaged, "database disk image is malformed"),
        (text, "file is not a database"),
        (tmp_path / "missing" / "c.sqlite", "unable to open"),
    ):
        with pytest.raises(ValueError, match=f"cannot use {path} as the call cache: {why}"):
            CallCache(path)
    assert {p: p.read_bytes() for p in kept} == kept  # each refused unchanged, in every byte
    assert sorted(f.name for f in tmp_path.iterdir()) == sorted(p.name for p in kept)


def test_run_with_a_bad_cache_is_one_line_naming_the_cache_and_records_no_run(tmp_path):
    results, cache = tmp_path / "r.sqlite", tmp_path / "missing" / "c.sqlite"
    with running() as server:  # reachable: the cache is what fails
        done = memgym(
            "run", "--seeds", "1", "--model", "memgym-scripted", "--base-url",
            server.base_url, "--cache", str(cache), "--results", str(results),
        )  # fmt: skip
    assert done.returncode == 2
    assert done.stderr.strip().splitlines()[-1] == (
        f"error: cannot use {cache} as the call cache: unable to open database file"
    )
    with sqlite3.connect(results) as db:
        assert db.execute("SELECT COUNT(*) FROM runs").fetchone() == (0,)
