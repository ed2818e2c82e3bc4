"""Bad input is one line on stderr and exit 2, never a traceback or a usage dump: a damaged
results file (in results, report and run), an export or output into a missing folder, output
closed early (``generate --json | head``), bad numbers, unknown names, absurd ``--seeds``."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import time

import pytest

from memgym.cli import main
from tests.cli_process import ROOT, env, memgym


@pytest.fixture(scope="module")
def damaged(tmp_path_factory):
    """A real results file with two pages in its middle overwritten."""
    folder = tmp_path_factory.mktemp("damaged")
    path = folder / "r.sqlite"
    assert main(["run", "--seeds", "2", "--policies", "strategic", "--results", str(path)]) == 0
    data = bytearray(path.read_bytes())
    page = 4096
    assert len(data) > 6 * page
    data[3 * page : 5 * page] = b"\xff" * (2 * page)
    path.write_bytes(bytes(data))
    return path


def one_line_exit_2(done: subprocess.CompletedProcess, *needles: str) -> str:
    assert done.returncode == 2, (done.returncode, done.stderr)
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "Traceback" not in done.stderr and "usage:" not in done.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


@pytest.mark.parametrize(
    "argv",
    [
        ["results", "{f}", "--run", "1"],
        ["results", "{f}", "--export", "{d}/e.jsonl"],
        ["report", "{f}", "-o", "{d}/r.html"],
        ["run", "--seeds", "1", "--policies", "strategic", "--results", "{f}"],
    ],
    ids=["results", "export", "report", "run"],
)
def test_a_damaged_results_file_is_one_line(damaged, tmp_path, argv):
    before, runs = damaged.read_bytes(), run_rows(damaged)
    done = memgym(*(a.format(f=damaged, d=tmp_path) for a in argv))
    one_line_exit_2(done, str(damaged), "malformed")
    if argv[0] != "run":
        assert damaged.read_bytes() == before  # readers never write
    assert run_rows(damaged) == runs  # the run that could not store its episode is gone


def run_rows(path):
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return db.execute("SELECT * FROM runs").fetchall()
    finally:
        db.close()


@pytest.mark.parametrize(
    "argv, needle",
    [
        (["results", "{f}", "--export", "{d}/missing/e.jsonl"], "no folder"),
        (["generate", "--out", "{d}/missing/s.json"], "no folder"),
        (["report", "{f}", "-o", "{d}/missing/r.html"], "no folder"),
        (["trajectories", "--seeds", "1", "--out", "{d}/missing/t.jsonl"], "missing/t.jsonl"),
        (["run", "--seeds", "abc"], "argument --seeds"),
        (["run", "--seeds", "0"], "from 1 to 100,000"),
        (["compare", "--seeds", "-2"], "from 1 to 100,000"),
        (["run", "--concurrency", "x"], "argument --concurrency"),
        (["compare", "--resamples", "-5"], "--resamples must be at least 1"),
        (["report", "{f}", "--resamples", "0"], "--resamples must be at least 1"),
        (["rm", "eval", "--model", "{d}", "--resamples", "-1"], "--resamples must be at least 1"),
        (["run", "--param", "entities"], "bad --param 'entities': expected KEY=VALUE"),
        (["run", "--param", "tier=hard"], "--tier"),
        (["run", "--param", "bogus=1"], "unknown parameter 'bogus'"),
        (["run", "--track", "nope"], "unknown track 'nope'"),
        (["run", "--policies", "telepathy"], "unknown policy 'telepathy'"),
        (["run", "--memory", "window:max_tokens=oops"], "max_tokens"),
        (["results", "{d}/absent.sqlite"], "no results file"),
        (["nonsense"], "invalid choice"),
        (["run", "--resume", "--run", "7", "--results", "{f}"], "no run 7"),
        (["generate", "--show", "-2"], "--show must be at least 0, got -2"),
        (["validate", "--workers", "0"], "--workers must be at least 1, got 0"),
        (["serve", "--port", "99999"], "argument --port: must be from 0 to 65535"),
        (["proxy", "--upstream", "http://127.0.0.1:9/v1", "--port", "-1"], "argument --port"),
        (
            ["proxy", "--upstream", "http://127.0.0.1:9/v1", "--max-seconds", "-1"],
            "--max-seconds must be above 0 seconds, got -1.0",
        ),
        (
            ["proxy", "--upstream", "http://127.0.0.1:9/v1", "--timeout", "0"],
            "--timeout must be above 0 seconds, got 0.0",
        ),
        (["train", "serve", "--model", "{d}", "--port", "65536"], "argument --port"),
        (["run", "--seed", "99999999999999999999"], "argument --seed: must be from 0 to 2**62"),
        (
            ["compare", "--seeds", "1", "--reasoner", "nope", "--memories", "window"],
            "no reasoner 'nope' is known here",
        ),
        (["validate", "--track", ",", "--seeds", "1"], "--track names no track"),
        (["serve", "--max-seconds", "-1"], "--max-seconds must be above 0 seconds, got -1.0"),
        (["generate", "--out", "{d}/s.json", "--json"], "give --out FILE or --json"),
        (
            ["results", "{f}", "--export", "{d}/e.jsonl", "--json"],
            "not with --json or --leaderboard",
        ),
        (["validate", "--tiers", ",", "--seeds", "1"], "--tiers names no tier"),
        (["compare", "--seed", "-1"], "argument --seed: must be from 0 to 2**62, got -1"),
        (["audit", "--seed", "x"], "argument --seed: expected a whole number, got 'x'"),
        (
            ["trajectories", "--seeds", "1", "--out", "{d}/t.jsonl", "--segments", "{d}"],
            "cannot write --segments",
        ),
        (
            ["trajectories", "--seeds", "1", "--out", "{d}/missing/t.jsonl", "--policies", ","],
            "--policies names no policy",
        ),
    ],
)
def test_bad_input_is_one_line_and_exit_2(damaged, tmp_path, argv, needle):
    good = damaged.parent / "good.sqlite"
    if not good.exists():
        assert main(["run", "--seeds", "1", "--policies", "naive", "--results", str(good)]) == 0
    done = memgym(*(a.format(f=good, d=tmp_path) for a in argv))
    one_line_exit_2(done, needle)
    assert not (tmp_path / "missing").exists()


def test_absurd_seeds_are_refused_at_once_without_memory():
    start = time.monotonic()
    done = memgym("run", "--seeds", "100000000000")
    line = one_line_exit_2(done, "from 1 to 100,000", "100,000,000,000")
    assert time.monotonic() - start < 10, line


def test_output_closed_early_is_one_line(tmp_path):
    if shutil.which("head") is None:
        pytest.skip("needs head(1)")
    script = f'"{sys.executable}" -m memgym generate --tier hard --json | head -c 100 >/dev/null'
    done = subprocess.run(
        ["bash", "-c", f"set -o pipefail; {script}; echo rc=${{PIPESTATUS[0]}} >&2"],
        cwd=tmp_path, env=env(), capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    lines = done.stderr.strip().splitlines()
    assert lines[-1] == "rc=2", done.stderr
    assert len(lines) == 2 and "broken pipe" in lines[0], done.stderr


def test_the_cli_runs_from_this_checkout():
    done = memgym("--version")
    assert done.returncode == 0 and done.stdout.startswith("memgym ")
    assert str(ROOT) == env()["PYTHONPATH"] and os.path.isdir(ROOT / "memgym")


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["report", "{f}", "-o", "{f}"], "-o {f} is also the results file"),
        (["results", "{f}", "--export", "{f}", "--format", "jsonl"], "is also the results file"),
        (["trajectories", "--seeds", "1", "--out", "{f}", "--segments", "{f}"], "is also --out"),
    ],
    ids=["report", "results", "trajectories"],
)
def test_an_output_that_is_an_input_is_refused_unchanged(damaged, tmp_path, argv, needle):
    kept = tmp_path / "kept.sqlite"
    kept.write_bytes(damaged.read_bytes())
    before = kept.read_bytes()
    done = memgym(*(a.format(f=kept) for a in argv))
    one_line_exit_2(done, needle.format(f=kept))
    assert kept.read_bytes() == before


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--memory", "nosuchmem"], "unknown memory 'nosuchmem'; known memories:"),
        (["--memory", "window", "--reasoner", "nosuch", "--isolate"], "unknown reasoner 'nosuch'"),
    ],
)
def test_an_unknown_name_fails_before_any_worker_starts(
    flags, message, tmp_path, capsys, monkeypatch
):
    from memgym.run import remote

    def no_worker(*_args, **_kwargs):
        raise AssertionError("a worker was started for a name no plugin can register")

    monkeypatch.setattr(remote, "shared_worker", no_worker)
    results = tmp_path / "r.sqlite"
    assert (
        main(["run", "--track", "entities", "--seeds", "1", "--results", str(results), *flags]) == 2
    )
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and message in err and "worker" not in err, err
    assert not results.exists()


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["run", "--seeds", "1", "--memory", ""], "--memory is empty"),
        (["run", "--seeds", "1", "--reasoner", " "], "--reasoner is empty"),
        (["run", "--seeds", "1", "--shard", "50/100"], "--shard 50/100 holds no episode"),
        (
            ["run", "--seeds", "1", "--param", "questions=3", "--param", "questions=5"],
            "--param questions given twice",
        ),
        (
            [
                "run",
                "--seeds",
                "1",
                "--model",
                "m",
                "--base-url",
                "http://127.0.0.1:9/v1",
                "--api-key-env",
                "MEMGYM_TEST_UNSET_KEY",
            ],
            "$MEMGYM_TEST_UNSET_KEY",
        ),
    ],
    ids=["empty-memory", "empty-reasoner", "empty-shard", "param-twice", "unset-key-variable"],
)
def test_input_that_ran_something_else_is_one_line_and_no_run(tmp_path, capsys, argv, needle):
    """Each of these used to run quietly: the default policies for an empty spec, a complete run
    of 0 episodes for an empty shard, the last of two values, a placeholder API key."""
    path = tmp_path / "r.sqlite"
    assert main([*argv, "--results", str(path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and needle in err[0], err
    assert not path.exists()


def test_compare_names_an_unknown_memory_without_starting_a_worker(capsys):
    """Without --plugin nothing else can know the name: the error comes from this process
    (it came from a worker started for it, ``worker: ValueError: ...``, seconds later)."""
    assert main(["compare", "--memories", "nope", "--seeds", "1"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "unknown memory 'nope'" in err[0] and "worker" not in err[0]


@pytest.mark.parametrize(
    ("argv", "command"),
    [
        (["generate", "--seeds", "1"], "memgym generate"),
        (["rm", "build", "--nope"], "memgym rm build"),
    ],
)
def test_an_unknown_option_is_named_by_the_command_that_refused_it(capsys, argv, command):
    """The error named the top-level command (``memgym: error: unrecognized arguments``)."""
    with pytest.raises(SystemExit) as stop:
        main(argv)
    assert stop.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    extra = " ".join(argv[len(command.split()) - 1 :])
    assert err == [f"{command}: error: unrecognized arguments: {extra} (see {command} --help)"]
